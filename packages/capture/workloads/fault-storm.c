/*
 * fault-storm: as many page faults as fast as possible (map 64 MiB, write every page, unmap, in
 * rounds). Used to check that a capture notices when perf loses events (a tiny ring buffer cannot
 * keep up with it).
 * Usage: fault-storm [ROUNDS]   (default 4)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 4;
  const long size = 64L << 20;
  for (long r = 0; r < rounds; r++) {
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("mmap");
      return 1;
    }
    for (long i = 0; i < size; i += 4096) p[i] = (char)i;
    munmap(p, size);
  }
  return 0;
}
