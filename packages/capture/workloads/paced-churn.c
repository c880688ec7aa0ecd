/*
 * paced-churn: threads that map, touch, protect and unmap a small region, then sleep a little, in
 * a loop: a steady, gentle stream of faults and memory system calls for pid-mode captures and time
 * limits (the sleeps keep the event rate low, so a short capture stays small).
 * Usage: paced-churn [THREADS [ROUNDS [PAUSE_US]]]
 *   (default 2 threads, ROUNDS 0 = until killed, 2000 microseconds between rounds)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PG 4096L

static long rounds;
static long pause_us = 2000;

static void *worker(void *arg) {
  long pages = 8 + 4 * (long)arg;
  const struct timespec pause = {pause_us / 1000000, (pause_us % 1000000) * 1000};
  for (long r = 0; rounds == 0 || r < rounds; r++) {
    char *m = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      perror("mmap");
      exit(1);
    }
    for (long i = 0; i < pages; i++) m[i * PG] = (char)r;
    if (mprotect(m, 2 * PG, PROT_READ) != 0) perror("mprotect");
    if (munmap(m, pages * PG) != 0) perror("munmap");
    nanosleep(&pause, NULL);
  }
  return NULL;
}

int main(int argc, char **argv) {
  long threads = argc > 1 ? atol(argv[1]) : 2;
  if (argc > 2) rounds = atol(argv[2]);
  if (argc > 3) pause_us = atol(argv[3]);
  if (threads < 1 || threads > 64 || rounds < 0 || pause_us < 0) {
    fprintf(stderr, "usage: paced-churn [THREADS(1-64) [ROUNDS [PAUSE_US]]]\n");
    return 2;
  }
  pthread_t tid[64];
  for (long t = 0; t < threads; t++) {
    if (pthread_create(&tid[t], NULL, worker, (void *)t) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  for (long t = 0; t < threads; t++) pthread_join(tid[t], NULL);
  return 0;
}
