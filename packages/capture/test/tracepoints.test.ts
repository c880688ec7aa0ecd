import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FD_SYSCALL_SIGNATURES, SYSCALL_SIGNATURES } from '@vmakit/formats';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  FAULT_TRACEPOINT,
  FD_SYSCALLS,
  findTracefsEvents,
  MEMORY_SYSCALLS,
  selectTracepoints,
  tracefsEventExists,
} from '../src/index.js';

const README_ORDER = [
  'mmap',
  'munmap',
  'mprotect',
  'brk',
  'mremap',
  'madvise',
  'pkey_mprotect',
  'mlock',
  'munlock',
  'mlock2',
  'mlockall',
  'munlockall',
  'shmat',
  'shmdt',
];

function thrownCode(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    return err instanceof CaptureError ? err.code : `not a CaptureError: ${String(err)}`;
  }
  return null;
}

describe('tracepoint selection', () => {
  it('traces the README list of memory syscalls, the same the parsers know', () => {
    expect(MEMORY_SYSCALLS).toEqual(README_ORDER);
    expect(new Set(MEMORY_SYSCALLS)).toEqual(new Set(Object.keys(SYSCALL_SIGNATURES)));
  });

  it('with every tracepoint present: fault first, then enter/exit pairs, nothing skipped', () => {
    const sel = selectTracepoints(() => true);
    expect(sel.events[0]).toBe(FAULT_TRACEPOINT);
    expect(sel.events).toHaveLength(1 + 2 * README_ORDER.length + 2 * FD_SYSCALLS.length);
    expect(sel.events.slice(1, 3)).toEqual(['syscalls:sys_enter_mmap', 'syscalls:sys_exit_mmap']);
    expect(sel.syscalls).toEqual(README_ORDER);
    expect(sel.skipped).toEqual([]);
    // The fd calls follow the memory calls, as the parsers know them.
    expect(sel.fdSyscalls).toEqual(Object.keys(FD_SYSCALL_SIGNATURES));
    expect(sel.events.slice(1 + 2 * README_ORDER.length, 3 + 2 * README_ORDER.length)).toEqual([
      'syscalls:sys_enter_open',
      'syscalls:sys_exit_open',
    ]);
    expect(sel.fdSkipped).toEqual([]);
  });

  it('skips a syscall when either half is missing and records which', () => {
    const missing = new Set([
      'syscalls:sys_exit_pkey_mprotect',
      'syscalls:sys_enter_shmat',
      'syscalls:sys_enter_shmdt',
    ]);
    const sel = selectTracepoints((e) => !missing.has(e));
    expect(sel.skipped).toEqual([
      { syscall: 'pkey_mprotect', missing: 'syscalls:sys_exit_pkey_mprotect' },
      { syscall: 'shmat', missing: 'syscalls:sys_enter_shmat' },
      { syscall: 'shmdt', missing: 'syscalls:sys_enter_shmdt' },
    ]);
    expect(sel.syscalls).not.toContain('pkey_mprotect');
    expect(sel.events).not.toContain('syscalls:sys_enter_pkey_mprotect');
    expect(sel.events).toHaveLength(1 + 2 * (README_ORDER.length - 3) + 2 * FD_SYSCALLS.length);
  });

  it('fd calls are optional: missing ones are listed apart, not an error', () => {
    const sel = selectTracepoints(
      (e) => e !== 'syscalls:sys_enter_open' && e !== 'syscalls:sys_exit_openat2' && !e.endsWith('_fcntl'),
    );
    expect(sel.skipped).toEqual([]);
    expect(sel.fdSkipped).toEqual([
      { syscall: 'open', missing: 'syscalls:sys_enter_open' },
      { syscall: 'openat2', missing: 'syscalls:sys_exit_openat2' },
      { syscall: 'fcntl', missing: 'syscalls:sys_enter_fcntl' },
    ]);
    expect(sel.fdSyscalls).toEqual(['openat', 'close', 'close_range', 'dup', 'dup2', 'dup3']);
    expect(sel.events).not.toContain('syscalls:sys_exit_open');
    expect(sel.events).toContain('syscalls:sys_enter_openat');
  });

  it('cannot do without the fault tracepoint or without every syscall', () => {
    expect(thrownCode(() => selectTracepoints((e) => e !== FAULT_TRACEPOINT))).toBe(
      'tracepoints-unavailable',
    );
    expect(thrownCode(() => selectTracepoints((e) => e === FAULT_TRACEPOINT))).toBe(
      'tracepoints-unavailable',
    );
    expect(() => selectTracepoints((e) => e === FAULT_TRACEPOINT)).toThrow(/CONFIG_FTRACE_SYSCALLS/);
  });
});

describe('tracefs', () => {
  const root = mkdtempSync(join(tmpdir(), 'vmakit-tracefs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('not mounted: a clear error naming the mount command', () => {
    const none = [join(root, 'nope'), join(root, 'nope2')];
    expect(findTracefsEvents(none)).toBeNull();
    expect(thrownCode(() => tracefsEventExists(none))).toBe('tracefs-missing');
    expect(() => tracefsEventExists(none)).toThrow(/mount -t tracefs/);
  });

  it('answers from the events directory of the first mounted candidate', () => {
    const fake = join(root, 'tracing');
    mkdirSync(join(fake, 'events', 'exceptions', 'page_fault_user'), { recursive: true });
    mkdirSync(join(fake, 'events', 'syscalls', 'sys_enter_mmap'), { recursive: true });
    mkdirSync(join(fake, 'events', 'syscalls', 'sys_exit_mmap'), { recursive: true });
    const exists = tracefsEventExists([join(root, 'absent'), fake]);
    expect(exists(FAULT_TRACEPOINT)).toBe(true);
    expect(exists('syscalls:sys_enter_mmap')).toBe(true);
    expect(exists('syscalls:sys_enter_brk')).toBe(false);
    expect(exists('nocolon')).toBe(false);
    const sel = selectTracepoints(exists);
    expect(sel.syscalls).toEqual(['mmap']);
    expect(sel.skipped).toHaveLength(README_ORDER.length - 1);
  });
});
