/*
 * brk-heap: the main-arena heap of glibc malloc on one thread. Many small blocks grow the heap
 * with brk; freeing them from the top lets free() shrink it with brk again (M_TRIM_THRESHOLD);
 * malloc_trim() gives whole free pages inside the heap back with madvise(MADV_DONTNEED); a large
 * block grown with realloc() is a direct mmap moved or grown by mremap.
 * Usage: brk-heap [BLOCKS]   (default 600 blocks of 1-2 KiB)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  long blocks = argc > 1 ? atol(argv[1]) : 600;
  if (blocks < 1 || blocks > 1000000) {
    fprintf(stderr, "usage: brk-heap [BLOCKS]\n");
    return 2;
  }
  char **b = calloc((size_t)blocks, sizeof *b);
  if (b == NULL) return 1;
  for (long i = 0; i < blocks; i++) {
    size_t size = 1024 + (size_t)(i * 37 % 1024);
    b[i] = malloc(size);
    if (b[i] == NULL) return 1;
    memset(b[i], (int)i, size);
  }
  /* Free runs of eight blocks in the lower half: free whole pages inside the heap for malloc_trim. */
  for (long i = 0; i < blocks / 2; i++) {
    if (i % 10 >= 8) continue;
    free(b[i]);
    b[i] = NULL;
  }
  malloc_trim(0);
  /* Free the upper half from the top: the heap top becomes free and brk shrinks. */
  for (long i = blocks - 1; i >= blocks / 2; i--) {
    free(b[i]);
    b[i] = NULL;
  }
  /* A large block grown step by step: an mmapped chunk that realloc grows with mremap. */
  size_t size = 160 * 1024;
  char *big = malloc(size);
  if (big == NULL) return 1;
  memset(big, 1, size);
  for (int step = 0; step < 3; step++) {
    size_t grown = size * 2;
    char *nb = realloc(big, grown);
    if (nb == NULL) return 1;
    memset(nb + size, 2, grown - size);
    big = nb;
    size = grown;
  }
  free(big);
  for (long i = 0; i < blocks; i++) free(b[i]);
  free(b);
  return 0;
}
