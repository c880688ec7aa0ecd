import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_SIZE, uapi, VM_GROWSDOWN, VM_WRITE } from '@vmakit/core';
import { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import type { WorkloadOp } from '../src/workload.js';
import {
  faultCanSucceed,
  resolveWorkload,
  type TraceStep,
  type TraceWorkloadPlugin,
  traceWorkload,
} from '../src/workloads/index.js';
import {
  type AccessProblem,
  contexts,
  drain,
  fakeResponder,
  mmFor,
  mmResponder,
  type Responder,
} from './workloads-driver.js';

const { MAP_FIXED_NOREPLACE } = uapi;

const traces = findSharedDir('traces');

/** A responder that answers each thread's system calls with the kernel's results, in order. */
function kernelResponder(plugin: TraceWorkloadPlugin): Responder {
  const cursors = new Map<number, number>();
  return (op, tid) => {
    if (op.op === 'access' || op.op === 'fault' || op.op === 'think' || op.op === 'iteration') return 0;
    const steps = plugin.steps(tid);
    let i = cursors.get(tid) ?? 0;
    while (i < steps.length && steps[i]!.kind !== 'syscall') i++;
    const s = steps[i] as Extract<TraceStep, { kind: 'syscall' }>;
    cursors.set(tid, i + 1);
    return s.ret;
  };
}

function countOps(ops: WorkloadOp[]): {
  faults: number;
  syscalls: number;
  thinks: number;
  iterations: number;
} {
  let faults = 0;
  let syscalls = 0;
  let thinks = 0;
  let iterations = 0;
  for (const o of ops) {
    if (o.op === 'fault') faults++;
    else if (o.op === 'think') thinks++;
    else if (o.op === 'iteration') iterations++;
    else if (o.op !== 'access') syscalls++;
  }
  return { faults, syscalls, thinks, iterations };
}

describe.skipIf(traces === null)('captured traces as workloads', () => {
  if (traces === null) it.skip(sharedMissingMessage('traces'), () => {});
  const cases = [
    { name: 'py-sqlite', threads: 1, faults: 3312, syscalls: 71 },
    { name: 'c-arenas', threads: 4, faults: 7331, syscalls: 1016 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.threads} threads, ${c.faults} faults and ${c.syscalls} system calls, each in trace order`, async () => {
      const plugin = await traceWorkload(join(traces!, c.name));
      expect(plugin.summary.tids).toHaveLength(c.threads);
      expect(plugin.summary.faults).toBe(c.faults);
      expect(plugin.summary.syscalls).toBe(c.syscalls);
      const w = plugin.create({ threads: c.threads, seed: 1, params: { wait_for_mapping: 0 } });
      const mm = mmFor(w);
      const ctxs = contexts(c.threads, 1, mm);
      const respond = kernelResponder(plugin);
      let total = { faults: 0, syscalls: 0 };
      for (let t = 0; t < c.threads; t++) {
        const ops = drain(w.thread(ctxs[t]!), respond, t);
        const n = countOps(ops);
        const steps = plugin.steps(t);
        expect(n.faults).toBe(steps.filter((s) => s.kind === 'fault').length);
        expect(n.iterations).toBe(steps.length);
        // With the kernel's answers no placement fallback is needed: one operation per call.
        expect(n.syscalls).toBe(steps.filter((s) => s.kind === 'syscall').length);
        const faultsInOrder = ops.filter((o) => o.op === 'fault');
        const stepFaults = steps.filter((s) => s.kind === 'fault');
        expect(faultsInOrder.map((o) => (o as { addr: number }).addr)).toEqual(
          stepFaults.map((s) => (s as { addr: number }).addr),
        );
        total = { faults: total.faults + n.faults, syscalls: total.syscalls + n.syscalls };
      }
      expect(total).toEqual({ faults: c.faults, syscalls: c.syscalls });
      expect(w.stats.faults).toBe(c.faults);
      expect(w.stats.syscalls).toBe(c.syscalls);
      expect(w.stats.placementFallbacks).toBe(0);
    });

    it(`${c.name}: replayed on a real mm from start.maps, every traced fault lands in a VMA`, async () => {
      const plugin = await traceWorkload(join(traces!, c.name));
      const w = plugin.create({ threads: c.threads, seed: 1, params: { time_scale: 0 } });
      const mm = mmFor(w);
      expect(mm.mapCount).toBe(w.initialState.vmas.length);
      const problems: AccessProblem[] = [];
      const respond = mmResponder(mm, problems);
      const ctxs = contexts(c.threads, 1, mm);
      // Threads run one after another here; the traces' threads only share mappings made before they start.
      for (let t = 0; t < c.threads; t++) drain(w.thread(ctxs[t]!), respond, t);
      // Only stack growth may fault below a VMA: there the fault core expands the VM_GROWSDOWN VMA.
      const unexplained = problems.filter(
        (p) => p.why !== 'no VMA' || ((mm.findVma(p.addr)?.flags ?? 0) & VM_GROWSDOWN) === 0,
      );
      expect(unexplained).toEqual([]);
      expect(w.stats.faults).toBe(c.faults);
      expect(w.stats.syscalls).toBe(c.syscalls);
    });
  }

  it('the setup warms the page cache: each file range of start.maps read once through its own mapping', async () => {
    const plugin = await traceWorkload(join(traces!, 'c-arenas'));
    const w = plugin.create({ threads: 4, seed: 1 });
    const fileVmas = w.initialState.vmas.filter((v) => v.kind === 'file');
    const mm = mmFor(w);
    const problems: AccessProblem[] = [];
    const ops = drain(w.setup!(contexts(4, 1, mm)[0]!), mmResponder(mm, problems), 0);
    expect(problems).toEqual([]);
    const maps = ops.filter((o) => o.op === 'mmap');
    // Two VMAs of one file with the same offset and length (maps shows RELRO so) are read once.
    const ranges = new Set(fileVmas.map((v) => `${v.file!.id}|${v.pgoff}|${v.end - v.start}`));
    expect(maps).toHaveLength(ranges.size);
    for (const m of maps) expect(m).toMatchObject({ prot: uapi.PROT_READ, flags: uapi.MAP_PRIVATE });
    const pages = maps.reduce((n, m) => n + (m as { len: number }).len / PAGE_SIZE, 0);
    expect(ops.filter((o) => o.op === 'access')).toHaveLength(pages);
    // Every temporary mapping is gone again: the replay starts from start.maps exactly.
    expect(mm.mapCount).toBe(w.initialState.vmas.length);
    const none = plugin.create({ threads: 4, seed: 1, params: { warm_files: 0 } });
    expect(drain(none.setup!(contexts(4, 1, mmFor(none))[0]!), fakeResponder(), 0)).toEqual([]);
  });

  it('the trace:<dir> name resolves to the capture', async () => {
    const plugin = await resolveWorkload(`trace:${join(traces!, 'py-sqlite')}`);
    expect(plugin.meta.name).toBe(`trace:${join(traces!, 'py-sqlite')}`);
    expect(() => plugin.create({ threads: 2, seed: 1 })).toThrow(/has 1 threads .* threads = 1/);
  });
});

describe('a small synthetic capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmakit-sim-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'start.maps'),
    [
      '555555554000-555555555000 r--p 00000000 08:01 100                        /opt/app/file1',
      '555555555000-555555556000 rw-p 00001000 08:01 100                        /opt/app/file1',
      '7ffff7ff0000-7ffff7ff8000 rw-p 00000000 00:00 0 ',
      '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
      '',
    ].join('\n'),
  );
  const line = (tid: number, time: string, event: string, fields: string) =>
    `         app ${tid} [000]  ${time}: ${event.padStart(34)}: ${fields}`;
  writeFileSync(
    join(dir, 'trace.txt'),
    [
      line(10, '100.000010', 'syscalls:sys_enter_brk', 'brk: 0x00000000'),
      line(10, '100.000012', 'syscalls:sys_exit_brk', '0x555555559000'),
      line(
        10,
        '100.000020',
        'syscalls:sys_enter_mmap',
        'addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000',
      ),
      line(10, '100.000025', 'syscalls:sys_exit_mmap', '0x7ffff7fe0000'),
      line(
        11,
        '100.000030',
        'exceptions:page_fault_user',
        'address=0x7ffff7fe0010 ip=0x555555555000 error_code=0x6',
      ),
      line(10, '100.000040', 'syscalls:sys_enter_mlock', 'start: 0x7ffff7fe0000, len: 0x00001000'),
      line(10, '100.000041', 'syscalls:sys_exit_mlock', '0x0'),
      line(
        11,
        '100.000100',
        'exceptions:page_fault_user',
        'address=0x7ffff7fe1000 ip=0x555555555000 error_code=0x6',
      ),
      '',
    ].join('\n'),
  );

  it('orders threads by first event, thinks for the real gaps, and follows the kernel placement', async () => {
    const plugin = await traceWorkload(dir);
    expect(plugin.summary).toMatchObject({ tids: [10, 11], faults: 2, syscalls: 3, unfinished: 0 });
    const w = plugin.create({
      threads: 2,
      seed: 1,
      params: { time_scale: 2, iterations: 0, wait_for_mapping: 0 },
    });
    expect(w.initialState.config).toMatchObject({ startBrk: 0x555555559000, brk: 0x555555559000 });
    expect(w.initialState.vmas).toHaveLength(4);
    const ctxs = contexts(2, 1, mmFor(w));
    // The fake kernel puts the anonymous mmap elsewhere: the workload unmaps and re-maps at the kernel's address.
    const t0 = drain(w.thread(ctxs[0]!), fakeResponder(), 0);
    // The skipped mlock still costs the thread its real gap before it.
    expect(t0.map((o) => o.op)).toEqual(['brk', 'think', 'mmap', 'munmap', 'mmap', 'think']);
    expect(t0[5]).toEqual({ op: 'think', ns: 2 * 15000 });
    expect(t0[1]).toEqual({ op: 'think', ns: 2 * 8000 });
    expect(t0[4]).toMatchObject({ addr: 0x7ffff7fe0000, len: 0x2000, flags: 0x22 | MAP_FIXED_NOREPLACE });
    const t1 = drain(w.thread(ctxs[1]!), fakeResponder(), 1);
    expect(t1).toEqual([
      { op: 'think', ns: 2 * 20000 },
      { op: 'fault', addr: 0x7ffff7fe0010, errorCode: 6 },
      { op: 'think', ns: 2 * 70000 },
      { op: 'fault', addr: 0x7ffff7fe1000, errorCode: 6 },
    ]);
    expect(w.stats).toMatchObject({ placementFallbacks: 1, skipped: { mlock: 1 }, faults: 2, syscalls: 3 });
  });

  it("waits for another thread's mapping before a fault the mm cannot satisfy yet", async () => {
    const plugin = await traceWorkload(dir);
    const w = plugin.create({
      threads: 2,
      seed: 1,
      params: { time_scale: 0, iterations: 0, wait_poll_ns: 500 },
    });
    const mm = mmFor(w);
    const ctxs = contexts(2, 1, mm);
    const problems: AccessProblem[] = [];
    const respond = mmResponder(mm, problems);
    // Thread 1 runs first: its fault needs the mapping thread 0 has not made yet.
    const g1 = w.thread(ctxs[1]!);
    let r = g1.next(0);
    const early: WorkloadOp[] = [];
    for (let i = 0; i < 3; i++) {
      early.push(r.value as WorkloadOp);
      r = g1.next(respond(r.value as WorkloadOp, 1));
    }
    expect(early).toEqual([
      { op: 'think', ns: 500 },
      { op: 'think', ns: 500 },
      { op: 'think', ns: 500 },
    ]);
    drain(w.thread(ctxs[0]!), respond, 0);
    expect(mm.findVma(0x7ffff7fe0010)?.start).toBe(0x7ffff7fe0000);
    const rest = drain(
      (function* () {
        let cur = r;
        while (!cur.done) cur = g1.next(yield cur.value);
      })(),
      respond,
      1,
    );
    expect(rest[0]).toEqual({ op: 'think', ns: 500 });
    expect(rest.filter((o) => o.op === 'fault')).toHaveLength(2);
    expect(problems).toEqual([]);
    expect(w.stats).toMatchObject({
      mappingWaits: 1,
      mappingWaitNs: 2000,
      mappingWaitTimeouts: 0,
      signals: 0,
    });
    expect(faultCanSucceed(mm, 0x1000, 6)).toBe(false);
    expect(faultCanSucceed(mm, 0x555555554000, 6)).toBe(false);
    expect(faultCanSucceed(mm, 0x555555554000, 4)).toBe(true);
    expect(faultCanSucceed(mm, 0x7ffffffd0000, 6)).toBe(true);
  });

  it('relocates a kernel range another thread took, and translates later addresses in it', async () => {
    const plugin = await traceWorkload(dir);
    const w = plugin.create({
      threads: 2,
      seed: 1,
      params: { time_scale: 0, iterations: 0, wait_for_mapping: 0 },
    });
    const ctxs = contexts(2, 1, mmFor(w));
    const base = fakeResponder();
    // This kernel has the traced address taken: MAP_FIXED_NOREPLACE there fails with EEXIST.
    const respond: Responder = (op, tid) =>
      op.op === 'mmap' && (op.flags & MAP_FIXED_NOREPLACE) !== 0 && op.addr === 0x7ffff7fe0000
        ? -17
        : base(op, tid);
    const t0 = drain(w.thread(ctxs[0]!), respond, 0);
    const placed = (t0[2] as { addr: number }).addr;
    expect(t0.map((o) => o.op)).toEqual(['brk', 'mmap', 'munmap', 'mmap', 'mmap']);
    expect(t0[4]).toMatchObject({ addr: placed, flags: 0x22 | MAP_FIXED_NOREPLACE });
    const t1 = drain(w.thread(ctxs[1]!), respond, 1);
    expect(t1).toEqual([
      { op: 'fault', addr: placed + 0x10, errorCode: 6 },
      { op: 'fault', addr: placed + 0x1000, errorCode: 6 },
    ]);
    expect(w.stats).toMatchObject({ placementFallbacks: 1, placementConflicts: 1, relocations: 1 });
  });

  it('bad captures and bad thread counts are clear errors', async () => {
    await expect(traceWorkload(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    const plugin = await traceWorkload(dir);
    expect(() => plugin.create({ threads: 1, seed: 1 })).toThrow(/has 2 threads \(tids 10, 11\)/);
    expect(() => plugin.create({ threads: 2, seed: 1, params: { speed: 2 } })).toThrow(
      /unknown parameter 'speed'/,
    );
    expect(() => plugin.steps(5)).toThrow(/no thread 5/);
    expect(PAGE_SIZE).toBe(4096);
  });
});

describe('file-descriptor calls in a capture', () => {
  const line = (time: string, event: string, fields: string) =>
    `         app 10 [000]  ${time}: ${event.padStart(34)}: ${fields}`;
  /**
   * openat(O_RDONLY) = 3, mmap(7 pages, PROT_READ, MAP_SHARED, 3), close(3), then
   * mprotect(PROT_READ|PROT_WRITE), which the kernel refused with EACCES: do_mmap dropped
   * VM_MAYWRITE from a shared mapping of a descriptor opened read-only.
   */
  function capture(withFdEvents: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), 'vmakit-sim-trace-fd-'));
    writeFileSync(
      join(dir, 'start.maps'),
      [
        '555555554000-555555555000 r--p 00000000 08:01 100                        /opt/app/file1',
        '7ffff7ff0000-7ffff7ff8000 r-xp 00000000 08:01 200                        /opt/app/lib.so',
        '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
        '',
      ].join('\n'),
    );
    const open = [
      line(
        '100.000010',
        'syscalls:sys_enter_openat',
        'dfd: 0xffffff9c, filename: 0x7f9b3cbb7970, flags: 0x00080000, mode: 0x00000000',
      ),
      line('100.000011', 'syscalls:sys_exit_openat', '0x3'),
    ];
    const rest = [
      line(
        '100.000020',
        'syscalls:sys_enter_mmap',
        'addr: 0x00000000, len: 0x00007000, prot: 0x00000001, flags: 0x00000001, fd: 0x00000003, off: 0x00000000',
      ),
      line('100.000025', 'syscalls:sys_exit_mmap', '0x7ffff7fe9000'),
      line('100.000030', 'syscalls:sys_enter_close', 'fd: 0x00000003'),
      line('100.000031', 'syscalls:sys_exit_close', '0x0'),
      line(
        '100.000040',
        'syscalls:sys_enter_mprotect',
        'start: 0x7ffff7fe9000, len: 0x00007000, prot: 0x00000003',
      ),
      line('100.000041', 'syscalls:sys_exit_mprotect', '0xfffffffffffffff3'),
      '',
    ];
    writeFileSync(join(dir, 'trace.txt'), [...(withFdEvents ? open : []), ...rest].join('\n'));
    return dir;
  }

  for (const withFdEvents of [true, false]) {
    it(
      withFdEvents
        ? 'a shared mapping takes its descriptor mode: mprotect(PROT_WRITE) is refused as the kernel did'
        : 'without the open in the trace the mode is permissive, and the mprotect result disagrees (counted)',
      async () => {
        const dir = capture(withFdEvents);
        try {
          const plugin = await traceWorkload(dir);
          expect(plugin.summary).toMatchObject({ tids: [10], faults: 0, syscalls: 2 });
          expect(plugin.steps(0).map((s) => s.kind)).toEqual(
            withFdEvents ? ['fdcall', 'syscall', 'fdcall', 'syscall'] : ['syscall', 'fdcall', 'syscall'],
          );
          const w = plugin.create({ threads: 1, seed: 1, params: { time_scale: 0, wait_for_mapping: 0 } });
          const mm = mmFor(w);
          const ops = drain(w.thread(contexts(1, 1, mm)[0]!), mmResponder(mm, []), 0);
          // fd calls are no simulated work and no iteration: only the two memory calls count.
          expect(ops.filter((o) => o.op === 'iteration')).toHaveLength(2);
          expect(w.stats.syscalls).toBe(2);
          expect(w.stats.resultMismatches).toBe(withFdEvents ? 0 : 1);
          const v = mm.findVma(0x7ffff7fe9000)!;
          expect(v.start).toBe(0x7ffff7fe9000);
          expect((v.flags & VM_WRITE) !== 0).toBe(!withFdEvents);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  }
});
