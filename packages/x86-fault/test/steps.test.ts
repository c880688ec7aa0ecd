/**
 * The step protocol as the simulator will see it: the exact steps of the common anonymous fault, the
 * lock upgrade of stack expansion, the lock drop around a major fault's I/O and after a shared
 * write's dirtying (VM_FAULT_COMPLETED), and the synchronous driver's protocol checks.
 */
import { allocId, uapi } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  acquire,
  describeStep,
  type FaultStrategy,
  recordFault,
  runFault,
  type Step,
  X86_PF_USER,
  X86_PF_WRITE,
} from '../src/index.js';
import { mmapLock, ok, READ, setup, WRITE } from './helpers.js';

const RW = uapi.PROT_READ | uapi.PROT_WRITE;
const ANON = uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS;

/** A compact signature of a step (without object ids). */
function sig(s: Step): string {
  switch (s.op) {
    case 'acquire':
    case 'release':
      return `${s.op}:${s.lock}:${s.mode}`;
    case 'mem':
      return `mem:${s.access}:${s.what}`;
    case 'work':
      return s.count === 1 ? `work:${s.unit}` : `work:${s.unit}x${s.count}`;
    case 'lookup':
      return `lookup:${s.kind}:${s.lockless ? 'lockless' : 'locked'}`;
    default:
      return s.op;
  }
}

describe('step sequences', () => {
  it('an anonymous write fault on a populated page table', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    runFault(mmapLock, env, { addr: a, errorCode: WRITE });
    const { result, steps } = recordFault(mmapLock, env, { addr: a + 4096, errorCode: WRITE });
    expect(result.outcome).toBe('handled');
    expect(steps.map((s) => sig(s.step))).toEqual([
      'work:fault-entry',
      'acquire:mmap_lock:read',
      'lookup:find:locked',
      // vm_start..vm_flags and vm_ops..anon_vma: lines 0 and 1 of the maple-era vm_area_struct.
      'mem:read:vma',
      'mem:read:vma',
      'mem:read:pgd',
      'mem:read:pud',
      'mem:read:pmd',
      'mem:read:pte',
      'work:page-alloc',
      'work:page-zero',
      'acquire:ptl:spin',
      'work:pte-install',
      'mem:rmw:page',
      'mem:write:pte',
      'release:ptl:spin',
      'release:mmap_lock:read',
      'work:fault-exit',
    ]);
    // Lock identities: the mm for mmap_lock, the PTE table page for ptl.
    const acq = steps.filter((s) => s.step.op === 'acquire').map((s) => s.step) as Array<{ id: number }>;
    expect(acq[0]!.id).toBe(env.mmObj);
    expect(acq[1]!.id).toBe(env.pt.objId[env.pt.pteTableOf(a)]);
    expect(steps.every((s) => describeStep(s.step).length > 0)).toBe(true);
  });

  it('the first fault allocates tables under page_table_lock and the PMD lock', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 8 * 4096, RW, ANON));
    const { steps } = recordFault(mmapLock, env, { addr: a, errorCode: READ });
    const s = steps.map((x) => sig(x.step));
    expect(s.filter((x) => x === 'work:pgtable-alloc')).toHaveLength(3);
    expect(s.filter((x) => x === 'acquire:page_table_lock:spin')).toHaveLength(2);
    // PMD install under the PMD table's lock, then the PTE under the PTE table's lock.
    expect(s.filter((x) => x === 'acquire:ptl:spin')).toHaveLength(2);
  });

  it('stack expansion upgrades the lock: release read, take write, find again, expand, downgrade', () => {
    const { mm, env } = setup();
    const stack = ok(mm.mmap(0x7f0000100000, 4 * 4096, RW, ANON | uapi.MAP_GROWSDOWN | uapi.MAP_FIXED));
    const seq = mm.mmapSeq;
    const { result, steps } = recordFault(mmapLock, env, { addr: stack - 4096, errorCode: WRITE });
    expect(result.outcome).toBe('handled');
    const s = steps.map((x) => sig(x.step));
    const i = s.indexOf('release:mmap_lock:read');
    expect(s.slice(1, i + 5)).toEqual([
      'acquire:mmap_lock:read',
      'lookup:find:locked',
      'release:mmap_lock:read',
      'acquire:mmap_lock:write',
      'lookup:find:locked',
      'work:stack-expand',
      'downgrade',
    ]);
    expect(s.at(-2)).toBe('release:mmap_lock:read');
    // The write section moved mmap_seq twice and released its VMA marks (mm_lock_seq advanced).
    expect(mm.mmapSeq).toBe(seq + 2);
  });

  it('a major fault drops mmap_lock before the I/O and retries', () => {
    const { mm, env } = setup();
    const f = { id: allocId(), path: '/data/big', sizePages: 64 };
    const p = ok(mm.mmap(0, 64 * 4096, uapi.PROT_READ, uapi.MAP_PRIVATE, f, 0));
    const { steps } = recordFault(mmapLock, env, { addr: p, errorCode: READ });
    const s = steps.map((x) => sig(x.step));
    const io = s.findIndex((x) => x.startsWith('work:io-read'));
    expect(s[io]).toBe('work:io-readx32');
    const releases = s.map((x, k) => (x === 'release:mmap_lock:read' ? k : -1)).filter((k) => k >= 0);
    const acquires = s.map((x, k) => (x === 'acquire:mmap_lock:read' ? k : -1)).filter((k) => k >= 0);
    expect(releases[0]).toBeLessThan(io);
    expect(acquires).toHaveLength(2);
    expect(acquires[1]).toBeGreaterThan(io);
  });

  it('a shared file write returns VM_FAULT_COMPLETED with mmap_lock already released', () => {
    const { mm, env } = setup();
    const f = { id: allocId(), path: '/data/s', sizePages: 4 };
    env.cache.warm(f, 0, 4);
    const s = ok(mm.mmap(0, 4 * 4096, RW, uapi.MAP_SHARED, f, 0));
    const { steps } = recordFault(mmapLock, env, { addr: s, errorCode: X86_PF_USER | X86_PF_WRITE });
    const sigs = steps.map((x) => sig(x.step));
    const rel = sigs.lastIndexOf('release:mmap_lock:read');
    const mk = sigs.indexOf('work:page-mkwrite');
    expect(mk).toBeGreaterThan(0);
    expect(rel).toBeGreaterThan(mk);
    expect(sigs.filter((x) => x === 'release:mmap_lock:read')).toHaveLength(1);
  });
});

describe('synchronous driver checks', () => {
  const leaky: FaultStrategy = {
    ...mmapLock,
    name: 'leaky',
    *fault() {
      yield acquire('mmap_lock', 1, 'read');
      return {
        addr: 0,
        outcome: 'handled',
        signal: 0,
        code: 0,
        pkey: 0,
        vmFault: 0,
        major: false,
        path: 'none',
        attempts: 0,
        retries: 0,
        abort: null,
      };
    },
  };

  it('a strategy returning with a lock held is reported', () => {
    const { env } = setup();
    expect(() => runFault(leaky, env, { addr: 0, errorCode: READ })).toThrow(
      /returned holding \[mmap_lock#1 read\]/,
    );
  });

  it('a blocking acquire that could never be granted is reported', () => {
    const { mm, env } = setup();
    const a = ok(mm.mmap(0, 4096, RW, ANON));
    mm.writeLock();
    expect(() => runFault(mmapLock, env, { addr: a, errorCode: READ })).toThrow(/would never be granted/);
    mm.writeUnlock();
  });
});
