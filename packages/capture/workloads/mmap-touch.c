/*
 * mmap-touch: one thread walking through the kinds of page faults and memory system calls a
 * capture records, in a fixed order:
 *   - an anonymous private mapping: write faults (new anonymous pages), read faults (the shared
 *     zero page), then writes to zero-page-backed pages (copy-on-write from the zero page);
 *   - mprotect of a middle part to read-only and back (a VMA split, then a merge);
 *   - munmap of a hole (another split), madvise(MADV_DONTNEED) and touching the pages again;
 *   - mremap growing a mapping (it may move);
 *   - a MAP_SHARED file mapping: read faults on file pages, writes to shared file pages;
 *   - a MAP_PRIVATE file mapping: read, then write (copy-on-write of a file page);
 *   - brk growth and shrink, mlock/munlock, a PROT_NONE reservation opened with mprotect.
 * Usage: mmap-touch [DIR]   (DIR for the temporary file, default $TMPDIR or /tmp)
 * It prints nothing unless something fails.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096L

static volatile unsigned long sink;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void *map_anon(long pages, int prot) {
  void *p = mmap(NULL, pages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap anon");
  return p;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
  if (dir == NULL || dir[0] == '\0') dir = "/tmp";
  long i;

  /* Anonymous faults: write (new page), read (zero page), write after read (COW of the zero page). */
  char *a = map_anon(64, PROT_READ | PROT_WRITE);
  for (i = 0; i < 16; i++) a[i * PG] = 1;
  for (i = 16; i < 32; i++) sink += (unsigned char)a[i * PG];
  for (i = 16; i < 24; i++) a[i * PG] = 2;

  /* mprotect a middle part read-only (split), read it, then writable again (merge). */
  if (mprotect(a + 32 * PG, 16 * PG, PROT_READ) != 0) die("mprotect ro");
  for (i = 32; i < 40; i++) sink += (unsigned char)a[i * PG];
  if (mprotect(a + 32 * PG, 16 * PG, PROT_READ | PROT_WRITE) != 0) die("mprotect rw");
  for (i = 40; i < 48; i++) a[i * PG] = 3;

  /* A hole, then discard pages and fault them in again. */
  if (munmap(a + 48 * PG, 4 * PG) != 0) die("munmap hole");
  if (madvise(a, 8 * PG, MADV_DONTNEED) != 0) die("madvise");
  for (i = 0; i < 8; i++) a[i * PG] = 4;
  for (i = 52; i < 64; i++) a[i * PG] = 5;

  /* mremap: grow a mapping (the kernel moves it when it cannot grow in place). */
  char *b = map_anon(8, PROT_READ | PROT_WRITE);
  for (i = 0; i < 8; i++) b[i * PG] = 6;
  b = mremap(b, 8 * PG, 32 * PG, MREMAP_MAYMOVE);
  if (b == MAP_FAILED) die("mremap");
  for (i = 8; i < 32; i += 2) b[i * PG] = 7;

  /* A file of 32 pages. */
  char path[4096];
  snprintf(path, sizeof path, "%s/vmakit-mmap-touch-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) die("mkstemp");
  static char page[PG];
  for (i = 0; i < 32; i++) {
    memset(page, (int)('a' + i % 26), sizeof page);
    if (write(fd, page, sizeof page) != (ssize_t)sizeof page) die("write");
  }

  /* MAP_SHARED: read faults on file pages, then write faults on shared pages. */
  char *f = mmap(NULL, 32 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (f == MAP_FAILED) die("mmap shared");
  for (i = 0; i < 16; i++) sink += (unsigned char)f[i * PG];
  for (i = 8; i < 24; i++) f[i * PG] = 'Z';
  if (msync(f, 32 * PG, MS_SYNC) != 0) die("msync");

  /* MAP_PRIVATE of the same file: read, then write (copy-on-write of a file page). */
  char *p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 16 * PG);
  if (p == MAP_FAILED) die("mmap private file");
  for (i = 0; i < 16; i++) sink += (unsigned char)p[i * PG];
  for (i = 0; i < 8; i++) p[i * PG] = 'p';
  if (munmap(p, 16 * PG) != 0) die("munmap private file");

  /* brk: grow, touch, shrink. */
  char *brk0 = sbrk(0);
  if (sbrk(16 * PG) == (void *)-1) die("sbrk grow");
  for (i = 0; i < 16; i++) brk0[i * PG] = 8;
  if (sbrk(-8 * PG) == (void *)-1) die("sbrk shrink");

  /* mlock populates without user faults; munlock. */
  char *l = map_anon(4, PROT_READ | PROT_WRITE);
  if (mlock(l, 4 * PG) != 0) die("mlock");
  l[0] = 9;
  if (munlock(l, 4 * PG) != 0) die("munlock");
  if (munmap(l, 4 * PG) != 0) die("munmap locked");

  /* A PROT_NONE reservation, partly opened. */
  char *r = map_anon(32, PROT_NONE);
  if (mprotect(r + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE) != 0) die("mprotect reserve");
  for (i = 8; i < 16; i++) r[i * PG] = 10;

  if (munmap(b, 32 * PG) != 0) die("munmap b");
  /* The file is unmapped before it is unlinked, so end.maps names no deleted file. */
  if (munmap(f, 32 * PG) != 0) die("munmap shared");
  if (close(fd) != 0) die("close");
  if (unlink(path) != 0) die("unlink");
  /* `a` and `r` stay mapped: end.maps shows them. */
  return (int)(sink & 0);
}
