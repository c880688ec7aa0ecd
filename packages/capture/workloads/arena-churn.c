/*
 * arena-churn: worker threads doing random malloc/free like a glibc program with per-thread
 * arenas (a new arena reserves 64 MiB with mmap(PROT_NONE), trims it with munmap and grows its heap
 * with mprotect; large blocks are direct mmap/munmap), plus explicit mmap/mprotect/munmap of small
 * private regions. The random sequences come from fixed seeds; the thread interleaving is the
 * scheduler's.
 * Usage: arena-churn [THREADS [ITERATIONS]]   (default 3 threads, 1500 iterations each)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096L
#define SLOTS 128

static long iterations = 1500;

static void *worker(void *arg) {
  unsigned seed = 12345u + 7919u * (unsigned)(long)arg;
  void *slot[SLOTS] = {0};
  for (long it = 0; it < iterations; it++) {
    unsigned r = (unsigned)rand_r(&seed);
    int k = (int)(r % SLOTS);
    free(slot[k]);
    size_t size;
    if (r % 97 == 0) size = 160 * 1024 + (r % 8) * 32 * 1024; /* large: direct mmap at first */
    else size = 16 + (r >> 8) % 4096;
    slot[k] = malloc(size);
    if (slot[k] == NULL) {
      perror("malloc");
      exit(1);
    }
    /* Touch the first bytes and every page, as a program filling its buffer would. */
    for (size_t off = 0; off < size; off += PG) ((char *)slot[k])[off] = (char)it;
    if (it % 100 == 50) {
      char *m = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) {
        perror("mmap");
        exit(1);
      }
      for (long i = 0; i < 16; i += 3) m[i * PG] = 1;
      if (mprotect(m + 8 * PG, 8 * PG, PROT_READ) != 0) perror("mprotect");
      if (munmap(m, 16 * PG) != 0) perror("munmap");
    }
  }
  for (int k = 0; k < SLOTS; k++) free(slot[k]);
  return NULL;
}

int main(int argc, char **argv) {
  long threads = argc > 1 ? atol(argv[1]) : 3;
  if (argc > 2) iterations = atol(argv[2]);
  if (threads < 1 || threads > 64 || iterations < 1) {
    fprintf(stderr, "usage: arena-churn [THREADS(1-64) [ITERATIONS]]\n");
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
