/**
 * Which tracepoints a capture records, and where the running kernel lists them.
 *
 * The list of memory system calls is the one the capture format defines (the traces README and
 * `SYSCALL_SIGNATURES` of @vmakit/formats). A kernel may lack some of them (pkey_mprotect without
 * protection keys, shmat/shmdt without SysV IPC, every syscall tracepoint without
 * CONFIG_FTRACE_SYSCALLS); those are skipped and reported, except the fault tracepoint, which a
 * capture cannot do without.
 *
 * Beside them, the file-descriptor calls (open, openat, openat2, close, close_range, dup, dup2,
 * dup3, fcntl) are traced when the kernel has them, so a replay knows how the descriptor of a file
 * mmap was opened (a read-only descriptor maps shared without VM_MAYWRITE/VM_SHARED). They are
 * optional: open does not exist on every architecture, openat2 and close_range are recent; without
 * openat or close a replay just falls back to permissive file modes, which a warning says.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  FD_SYSCALL_SIGNATURES,
  type FdSyscallName,
  SYSCALL_SIGNATURES,
  type SyscallName,
} from '@vmakit/formats';
import { CaptureError } from './errors.js';

/** The x86 user page-fault tracepoint (arch/x86/include/asm/trace/exceptions.h). */
export const FAULT_TRACEPOINT = 'exceptions:page_fault_user';

/** The memory system calls a capture traces, in the README's order. */
export const MEMORY_SYSCALLS: readonly SyscallName[] = Object.keys(SYSCALL_SIGNATURES) as SyscallName[];

/**
 * The file-descriptor system calls a capture traces when present. dup/dup2/dup3/fcntl(F_DUPFD) and
 * close_range are needed for the descriptor table to stay right when a number is reused by a dup
 * or closed in bulk; fcntl is frequent only in programs that poll flags, which stays small beside
 * page faults.
 */
export const FD_SYSCALLS: readonly FdSyscallName[] = Object.keys(FD_SYSCALL_SIGNATURES) as FdSyscallName[];

/** The fd calls without which descriptor modes cannot be followed at all (the others refine them). */
export const ESSENTIAL_FD_SYSCALLS: readonly FdSyscallName[] = ['openat', 'close'];

/** Where tracefs is usually mounted: its own mount point first, then the debugfs compatibility path. */
export const TRACEFS_CANDIDATES: readonly string[] = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** The tracepoints chosen for a capture. */
export interface TracepointSelection {
  /** Every event to pass to `perf record -e`, fault first, then enter/exit pairs. */
  readonly events: readonly string[];
  /** System calls traced (both their enter and exit tracepoints exist). */
  readonly syscalls: readonly SyscallName[];
  /** System calls skipped, with the tracepoint that is missing. */
  readonly skipped: readonly { readonly syscall: SyscallName; readonly missing: string }[];
  /** File-descriptor calls traced (both tracepoints exist); their events follow the memory calls'. */
  readonly fdSyscalls: readonly FdSyscallName[];
  /** File-descriptor calls the kernel has no tracepoints for (optional: not an error). */
  readonly fdSkipped: readonly { readonly syscall: FdSyscallName; readonly missing: string }[];
}

/** Splits `names` into those whose enter and exit tracepoints both exist and the others. */
function pairsPresent<N extends string>(
  names: readonly N[],
  exists: (event: string) => boolean,
): { present: N[]; events: string[]; skipped: { syscall: N; missing: string }[] } {
  const present: N[] = [];
  const events: string[] = [];
  const skipped: { syscall: N; missing: string }[] = [];
  for (const name of names) {
    const enter = `syscalls:sys_enter_${name}`;
    const exit = `syscalls:sys_exit_${name}`;
    // A call is useful only with both halves: its effect is known at the exit, its arguments at the enter.
    if (!exists(enter)) skipped.push({ syscall: name, missing: enter });
    else if (!exists(exit)) skipped.push({ syscall: name, missing: exit });
    else {
      present.push(name);
      events.push(enter, exit);
    }
  }
  return { present, events, skipped };
}

/**
 * Chooses the tracepoints from what exists: the fault, the memory calls, then the fd calls. `exists`
 * answers for a `subsystem:name` event. Throws CaptureError when the fault tracepoint or every
 * memory syscall pair is missing; missing fd calls are only listed. O(syscalls).
 */
export function selectTracepoints(exists: (event: string) => boolean): TracepointSelection {
  if (!exists(FAULT_TRACEPOINT)) {
    throw new CaptureError(
      'tracepoints-unavailable',
      `the running kernel has no ${FAULT_TRACEPOINT} tracepoint (it exists on x86-64 kernels); a capture needs it to record page faults`,
    );
  }
  const memory = pairsPresent(MEMORY_SYSCALLS, exists);
  const syscalls = memory.present;
  if (syscalls.length === 0) {
    throw new CaptureError(
      'tracepoints-unavailable',
      'the running kernel has none of the syscalls:sys_enter_*/sys_exit_* tracepoints of the memory system calls (it was built without CONFIG_FTRACE_SYSCALLS?); a capture cannot follow mmap/munmap/mprotect/brk without them',
    );
  }
  const fd = pairsPresent(FD_SYSCALLS, exists);
  return {
    events: [FAULT_TRACEPOINT, ...memory.events, ...fd.events],
    syscalls,
    skipped: memory.skipped,
    fdSyscalls: fd.present,
    fdSkipped: fd.skipped,
  };
}

/** Where tracefs was found: its `events` directory, or a mount point that exists but cannot be read. */
export type TracefsLookup =
  | { readonly kind: 'found'; readonly events: string }
  | { readonly kind: 'denied'; readonly path: string }
  | { readonly kind: 'absent' };

/** Looks for the tracefs `events` directory in the candidates, in order. */
export function lookupTracefs(candidates: readonly string[] = TRACEFS_CANDIDATES): TracefsLookup {
  let denied: string | null = null;
  for (const root of candidates) {
    const events = join(root, 'events');
    try {
      if (statSync(events).isDirectory()) {
        accessSync(events, constants.R_OK | constants.X_OK);
        return { kind: 'found', events };
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // tracefs is mounted mode 700 by default: a non-root caller cannot even look inside.
      if (code === 'EACCES' || code === 'EPERM') denied ??= events;
    }
  }
  return denied === null ? { kind: 'absent' } : { kind: 'denied', path: denied };
}

/** The tracefs `events` directory, or null when no candidate is mounted and readable. */
export function findTracefsEvents(candidates: readonly string[] = TRACEFS_CANDIDATES): string | null {
  const r = lookupTracefs(candidates);
  return r.kind === 'found' ? r.events : null;
}

/**
 * Checks tracefs is mounted and readable and returns a predicate telling whether an event exists
 * there. Throws CaptureError with the command to fix it otherwise.
 */
export function tracefsEventExists(
  candidates: readonly string[] = TRACEFS_CANDIDATES,
): (event: string) => boolean {
  const r = lookupTracefs(candidates);
  if (r.kind === 'absent') {
    throw new CaptureError(
      'tracefs-missing',
      `tracefs is not mounted (looked for ${candidates.map((c) => `${c}/events`).join(' and ')}); mount it with 'mount -t tracefs nodev /sys/kernel/tracing' (as root)`,
    );
  }
  if (r.kind === 'denied') {
    throw new CaptureError(
      'permission',
      `cannot read ${r.path}: tracefs is readable by root only by default; run the capture as root (or 'mount -o remount,mode=755 /sys/kernel/tracing' and set kernel.perf_event_paranoid=-1)`,
    );
  }
  const events = r.events;
  return (event: string): boolean => {
    const colon = event.indexOf(':');
    if (colon <= 0) return false;
    return existsSync(join(events, event.slice(0, colon), event.slice(colon + 1)));
  };
}
