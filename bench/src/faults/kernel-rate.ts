/**
 * The real kernel's anonymous page-fault rate on this machine, measured like will-it-scale's
 * page_fault1 (single thread): mmap 128 MiB of private anonymous memory, write one byte per page,
 * munmap, repeat. The C program is compiled at run time with the system compiler (`$CC`, else `cc`,
 * else `gcc`) into a temporary directory; without a compiler the measurement is skipped with the
 * reason. MADV_NOHUGEPAGE keeps transparent huge pages out, so every page is one 4 KiB fault, as in
 * the model (which has no THP).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The program: prints one JSON line. Arguments: seconds, warm-up seconds, MiB per iteration. */
export const PAGE_FAULT1_SOURCE = `/* page_fault1-style anonymous fault rate (vmakit bench faults). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long minflt(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  double warmup = argc > 2 ? atof(argv[2]) : 0.2;
  size_t bytes = (size_t)(argc > 3 ? strtoul(argv[3], 0, 10) : 128) << 20;
  long page = sysconf(_SC_PAGESIZE);
  double touch = 0, total = 0, best = 0;
  unsigned long pages = 0, iterations = 0;
  long flt0 = 0, flt1 = 0;
  int nohuge = 1;
  for (int phase = 0; phase < 2; phase++) {
    double budget = phase == 0 ? warmup : seconds;
    if (phase == 1) flt0 = minflt();
    double start = now();
    do {
      volatile char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        perror("mmap");
        return 2;
      }
#ifdef MADV_NOHUGEPAGE
      if (madvise((void *)p, bytes, MADV_NOHUGEPAGE) != 0) nohuge = 0;
#else
      nohuge = 0;
#endif
      double t0 = now();
      for (size_t i = 0; i < bytes; i += (size_t)page) p[i] = 1;
      double t1 = now();
      munmap((void *)p, bytes);
      if (phase == 1) {
        if (best == 0 || t1 - t0 < best) best = t1 - t0;
        touch += t1 - t0;
        pages += bytes / (size_t)page;
        iterations++;
      }
    } while (now() - start < budget);
    if (phase == 1) {
      total = now() - start;
      flt1 = minflt();
    }
  }
  printf("{\\"pages\\":%lu,\\"iterations\\":%lu,\\"touch_seconds\\":%.9f,\\"total_seconds\\":%.9f,"
         "\\"best_touch_seconds\\":%.9f,\\"minflt\\":%ld,\\"page_size\\":%ld,\\"nohugepage\\":%d}\\n",
         pages, iterations, touch, total, best, flt1 - flt0, page, nohuge);
  return 0;
}
`;

/** Options of measureKernelFaultRate(). */
export interface KernelFaultRateOptions {
  /** Measured time in seconds (default 1). */
  readonly seconds?: number;
  /** Warm-up time in seconds (default 0.2). */
  readonly warmupSeconds?: number;
  /** MiB mapped per iteration (default 128, as page_fault1). */
  readonly megabytes?: number;
  /**
   * The compiler command (may carry flags, split on spaces). Default: `$CC` when set (and then only
   * it), else `cc`, else `gcc`.
   */
  readonly cc?: string;
  readonly signal?: AbortSignal;
}

/** The kernel's rate, or why it was not measured. */
export type KernelFaultRate =
  | {
      readonly measured: true;
      /** The compiler command that built the program. */
      readonly compiler: string;
      /** Pages written in the measured phase (one fault each). */
      readonly faults: number;
      /** Faults the kernel counted for the process (getrusage ru_minflt) in the measured phase. */
      readonly minflt: number;
      readonly iterations: number;
      readonly page_size: number;
      /** Seconds spent in the write loops only (the faults: entry, allocation, zeroing, PTE). */
      readonly fault_seconds: number;
      /** Seconds of the measured phase including mmap and munmap. */
      readonly total_seconds: number;
      /** faults / fault_seconds: the rate the simulated fault path is compared with. */
      readonly faults_per_sec: number;
      /** faults / total_seconds (page_fault1's own figure includes munmap). */
      readonly faults_per_sec_with_munmap: number;
      /**
       * The fastest round's rate (its write loop): less sensitive to other work on the machine than
       * the pooled figure, compared with the simulator's fastest sample.
       */
      readonly faults_per_sec_best: number;
      /** MADV_NOHUGEPAGE was accepted (every fault a 4 KiB page). */
      readonly no_huge_pages: boolean;
    }
  | { readonly measured: false; readonly reason: string };

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { timeout: timeoutMs, maxBuffer: 1 << 20, ...(signal !== undefined ? { signal } : {}) },
      (err, stdout, stderr) => {
        if (err !== null) reject(Object.assign(err, { stderr: String(stderr) }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Compiler candidates: `$CC` alone when set, else cc then gcc. */
function compilers(explicit: string | undefined): string[] {
  const cc = explicit ?? process.env.CC;
  if (cc !== undefined && cc.trim() !== '') return [cc.trim()];
  return ['cc', 'gcc'];
}

function why(err: unknown): string {
  const e = err as { code?: unknown; message?: string; stderr?: string };
  const first = (e.stderr ?? '').trim().split('\n')[0] ?? '';
  return first !== '' ? first : String(e.code ?? e.message ?? err);
}

/**
 * Compiles and runs the page_fault1-style program; never throws for a missing or failing compiler
 * or program (the result says why it was skipped), only rethrows an abort. Takes about
 * `seconds + warmupSeconds` plus the compilation.
 */
export async function measureKernelFaultRate(options: KernelFaultRateOptions = {}): Promise<KernelFaultRate> {
  const seconds = options.seconds ?? 1;
  const warmup = options.warmupSeconds ?? 0.2;
  const mib = options.megabytes ?? 128;
  if (!(seconds > 0) || !(warmup >= 0) || !Number.isInteger(mib) || mib < 1) {
    return { measured: false, reason: `invalid options: seconds ${seconds}, warm-up ${warmup}, MiB ${mib}` };
  }
  if (process.platform !== 'linux') {
    return { measured: false, reason: `not Linux (${process.platform}): the kernel's fault rate is Linux's` };
  }
  const dir = await mkdtemp(join(tmpdir(), 'vmakit-pf1-'));
  try {
    const src = join(dir, 'page_fault1.c');
    const exe = join(dir, 'page_fault1');
    await writeFile(src, PAGE_FAULT1_SOURCE);
    const tried: string[] = [];
    let compiler: string | null = null;
    for (const cc of compilers(options.cc)) {
      const [cmd, ...flags] = cc.split(/\s+/);
      try {
        await run(cmd!, [...flags, '-O2', '-o', exe, src], 120_000, options.signal);
        compiler = cc;
        break;
      } catch (err) {
        if (options.signal?.aborted === true) throw err;
        tried.push(`${cc}: ${why(err)}`);
      }
    }
    if (compiler === null) {
      return {
        measured: false,
        reason: `no working C compiler (${tried.join('; ')}); set CC to measure the kernel's page-fault rate`,
      };
    }
    let out: RunResult;
    try {
      const budgetMs = (seconds + warmup) * 1000;
      out = await run(
        exe,
        [String(seconds), String(warmup), String(mib)],
        budgetMs * 20 + 30_000,
        options.signal,
      );
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      return { measured: false, reason: `the page_fault1 program failed: ${why(err)}` };
    }
    let r: {
      pages: number;
      iterations: number;
      touch_seconds: number;
      total_seconds: number;
      best_touch_seconds: number;
      minflt: number;
      page_size: number;
      nohugepage: number;
    };
    try {
      r = JSON.parse(out.stdout.trim());
    } catch {
      return {
        measured: false,
        reason: `the page_fault1 program printed no JSON: ${out.stdout.trim().slice(0, 200)}`,
      };
    }
    if (!(r.pages > 0 && r.touch_seconds > 0 && r.best_touch_seconds > 0 && r.iterations > 0)) {
      return { measured: false, reason: `the page_fault1 program measured nothing: ${out.stdout.trim()}` };
    }
    return {
      measured: true,
      compiler,
      faults: r.pages,
      minflt: r.minflt,
      iterations: r.iterations,
      page_size: r.page_size,
      fault_seconds: r.touch_seconds,
      total_seconds: r.total_seconds,
      faults_per_sec: r.pages / r.touch_seconds,
      faults_per_sec_with_munmap: r.pages / r.total_seconds,
      faults_per_sec_best: r.pages / r.iterations / r.best_touch_seconds,
      no_huge_pages: r.nohugepage === 1,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
