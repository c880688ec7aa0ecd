/**
 * The LD_PRELOAD helper of command mode. The dynamic loader runs a preloaded library's constructor
 * after every library is mapped and relocated and before `main`, and its destructor during exit()
 * (after the program's own atexit handlers and destructors, before the address space is torn down).
 * Each raises SIGSTOP on the whole process, so the capture can read maps/smaps at both moments.
 *
 * The helper stops only the process the capture spawned (its parent is the capture's process) and
 * restores the environment's LD_PRELOAD in its constructor, so children and programs it execs run
 * unhindered; a forked child inherits the mapping but not the right to stop (pid check).
 * It is built at capture time with the system C compiler, never shipped as a binary.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptureError } from './errors.js';
import { runProgram } from './run.js';

/** Environment variable naming the capture's pid; only its child stops. */
export const PARENT_ENV = 'VMAKIT_CAPTURE_PARENT';
/** Environment variable holding the LD_PRELOAD to restore (unset when it was empty). */
export const ORIGINAL_PRELOAD_ENV = 'VMAKIT_CAPTURE_LD_PRELOAD';

/** C source of the helper. It allocates nothing and makes no memory system call of its own. */
export const STOP_HELPER_SOURCE = `/* vmakit capture stop helper: SIGSTOP before main and at exit. Built at capture time. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static pid_t vmakit_owner;

__attribute__((constructor)) static void vmakit_stop_at_start(void) {
  const char *parent = getenv("${PARENT_ENV}");
  if (parent == NULL || strtol(parent, NULL, 10) != (long)getppid()) return;
  const char *orig = getenv("${ORIGINAL_PRELOAD_ENV}");
  if (orig != NULL && orig[0] != '\\0') setenv("LD_PRELOAD", orig, 1);
  else unsetenv("LD_PRELOAD");
  unsetenv("${ORIGINAL_PRELOAD_ENV}");
  unsetenv("${PARENT_ENV}");
  vmakit_owner = getpid();
  kill(vmakit_owner, SIGSTOP);
}

__attribute__((destructor)) static void vmakit_stop_at_exit(void) {
  if (vmakit_owner != 0 && getpid() == vmakit_owner) kill(vmakit_owner, SIGSTOP);
}
`;

/** A C compiler that works, or null. Tries `cc` (or the given one), `CC`, `gcc`, `clang`. */
export async function findCCompiler(preferred?: string): Promise<string | null> {
  const candidates = [preferred, process.env.CC, 'cc', 'gcc', 'clang'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  for (const cc of [...new Set(candidates)]) {
    const r = await runProgram(cc, ['--version'], { timeoutMs: 20_000 });
    if (r.error === null && r.code === 0) return cc;
  }
  return null;
}

/** A compiler or a CaptureError saying how to get one. */
export async function requireCCompiler(preferred?: string): Promise<string> {
  const cc = await findCCompiler(preferred);
  if (cc === null) {
    throw new CaptureError(
      'no-compiler',
      `no working C compiler (tried ${[preferred, process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean).join(', ')}); command mode builds a small LD_PRELOAD helper with it — install gcc (or set CC), or start the program yourself and capture it by pid`,
    );
  }
  return cc;
}

/** Compiles the helper into `dir`; returns the path of the shared object. */
export async function buildStopHelper(dir: string, cc: string): Promise<string> {
  const src = join(dir, 'vmakit-stop.c');
  const out = join(dir, 'libvmakit-stop.so');
  await writeFile(src, STOP_HELPER_SOURCE);
  const r = await runProgram(cc, ['-shared', '-fPIC', '-O2', '-o', out, src], { timeoutMs: 120_000 });
  if (r.error !== null || r.code !== 0) {
    throw new CaptureError(
      'no-compiler',
      `'${cc}' could not build the LD_PRELOAD stop helper (${r.error?.message ?? `exit ${r.code ?? r.signal}`}): ${(r.stderr || r.stdout).trim().split('\n').slice(0, 5).join(' | ')}`,
    );
  }
  return out;
}
