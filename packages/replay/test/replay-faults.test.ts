/**
 * Faults resolved through the fault core on synthetic captures: the signal and counter a fault on
 * bad input gets (unmapped memory, kernel and non-canonical addresses, reserved error-code bits),
 * signals repaired by the thread's own mprotect, seeding of protection faults, stack growth, unsafe
 * pairings and determinism.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { builtinStrategies, mmapLockPlugin, perVmaLockPlugin } from '@vmakit/strategies';
import { referencePlugin } from '@vmakit/testkit';
import { UnsafePairingError } from '@vmakit/x86-fault';
import { afterEach, describe, expect, it } from 'vitest';
import {
  coreFaultHandler,
  type ReplayReport,
  type ResolvedFaultsSummary,
  replayCapture,
  replayMatrix,
} from '../src/index.js';

const START = [
  '555555554000-555555555000 r--p 00000000 fe:00 100                        /opt/app/file1',
  '555555555000-555555576000 rw-p 00000000 00:00 0                          [heap]',
  '7ffff7f00000-7ffff7f10000 rw-p 00000000 00:00 0 ',
  '7ffff7fc0000-7ffff7fff000 r-xp 00000000 fe:00 200                        /opt/app/file2.so',
  '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
];

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function line(tid: number, t: number, event: string, fields: string): string {
  return `            app ${tid} [000]  ${t.toFixed(6)}: ${event}: ${fields}`;
}

/** A fault line; `addr` and `ec` in hex without 0x. */
function fault(tid: number, t: number, addr: string, ec: string): string {
  return line(tid, t, 'exceptions:page_fault_user', `address=0x${addr} ip=0x555555554100 error_code=0x${ec}`);
}

function mprotect(tid: number, t: number, start: string, len: string, prot: number): string[] {
  return [
    line(
      tid,
      t,
      'syscalls:sys_enter_mprotect',
      `start: 0x${start}, len: 0x${len}, prot: 0x${prot.toString(16).padStart(8, '0')}`,
    ),
    line(tid, t + 0.000001, 'syscalls:sys_exit_mprotect', '0x0'),
  ];
}

function capture(trace: string[], end: string[] | null = null): string {
  dir = mkdtempSync(join(tmpdir(), 'vmakit-replay-faults-'));
  writeFileSync(join(dir, 'start.maps'), `${START.join('\n')}\n`);
  writeFileSync(join(dir, 'trace.txt'), `${trace.join('\n')}\n`);
  if (end !== null) writeFileSync(join(dir, 'end.maps'), `${end.join('\n')}\n`);
  return dir;
}

async function resolve(
  d: string,
  strategy = mmapLockPlugin,
): Promise<ReplayReport & { fh: ResolvedFaultsSummary }> {
  const r = await replayCapture(d, { index: referencePlugin, faults: coreFaultHandler({ strategy }) });
  if (!r.fault_handling.resolved) throw new Error('faults were not resolved');
  return { ...r, fh: r.fault_handling };
}

describe('bad input gets the kernel signal and its counter, never a crash', () => {
  it('unmapped memory, kernel and non-canonical addresses, vsyscall, reserved and unknown bits', async () => {
    const d = capture([
      // A user read in a hole: SEGV_MAPERR.
      fault(1, 1, '600000000000', '4'),
      // A user write to a kernel address (present, supervisor-only): SEGV_MAPERR from do_kern_addr_fault.
      fault(1, 2, 'ffffffff81000000', '7'),
      // A non-canonical address (the CPU raises #GP there): SIGSEGV with SI_KERNEL.
      fault(1, 3, '800000000000', '4'),
      // An instruction fetch in the vsyscall page (vsyscall=xonly): emulated, handled.
      fault(1, 4, 'ffffffffff600000', '14'),
      // RSVD: a reserved bit in a user page table — pgtable_bad(), the task is killed.
      fault(1, 5, '7ffff7f00000', 'c'),
      // Unknown bits (bit 16) are ignored: a plain write fault, handled.
      fault(1, 6, '7ffff7f01000', '10006'),
      // SGX: always an access error.
      fault(1, 7, '7ffff7f02000', '8006'),
      // A write to a read-only file mapping: SEGV_ACCERR.
      fault(1, 8, '555555554000', '6'),
    ]);
    const r = await resolve(d);
    expect(r.events.faults).toBe(8);
    expect(r.fh.faults).toMatchObject({
      handled: 2,
      segv_maperr: 2,
      segv_gp: 1,
      pgtable_bad: 1,
      segv_accerr: 2,
      anon: 1,
    });
    expect(r.fh.signals).toBe(6);
    expect(r.fh.signals_recovered).toBe(0);
    expect(r.fh.signals_unexplained).toBe(6);
    expect(r.fh.signal_details[0]).toMatch(
      /^line 1 tid 1: 600000000000\+0 error_code 0x4 -> sigsegv signal 11 code 1$/,
    );
    expect(r.fh.counters).toMatchObject({ vsyscall_emulated: 1, pgtable_bad: 1, sigsegv_gp: 1 });
    expect(r.fh.page_tables.problems).toEqual([]);
  });

  it('every strategy gives the same outcomes on bad input', async () => {
    const trace = [
      fault(1, 1, '600000000000', '4'),
      fault(1, 2, 'ffffffff81000000', '5'),
      fault(1, 3, '7ffff7f00000', '6'),
      fault(1, 4, '7ffff7f00000', '24'),
      fault(1, 5, '555555554000', '6'),
    ];
    const d = capture(trace);
    const reports = [];
    for (const p of builtinStrategies) reports.push(await resolve(d, p));
    for (const r of reports) {
      expect(r.fh.faults).toEqual(reports[0]!.fh.faults);
      expect(r.fh.outcome_digest).toBe(reports[0]!.fh.outcome_digest);
      expect(r.fh.page_tables.digest).toBe(reports[0]!.fh.page_tables.digest);
    }
    // PK: always an access error; without OSPKE the kernel still reports SEGV_ACCERR.
    expect(reports[0]!.fh.faults).toMatchObject({ handled: 1, segv_maperr: 2, segv_accerr: 2 });
  });
});

describe('signals a signal handler repairs', () => {
  it('SEGV_ACCERR, then the thread mprotects the page and the repeated access succeeds', async () => {
    const d = capture([
      ...mprotect(7, 1, '7ffff7f00000', '4000', 1),
      fault(7, 2, '7ffff7f01008', '6'),
      ...mprotect(7, 3, '7ffff7f01000', '1000', 3),
      fault(7, 4, '7ffff7f01008', '6'),
    ]);
    const r = await resolve(d);
    expect(r.syscalls.disagreements).toEqual([]);
    expect(r.fh.faults).toMatchObject({ handled: 1, segv_accerr: 1, anon: 1 });
    expect(r.fh).toMatchObject({ signals: 1, signals_recovered: 1, signals_unexplained: 0 });
  });

  it('an mprotect by another thread, or of another page, does not explain the signal', async () => {
    const d = capture([
      ...mprotect(7, 1, '7ffff7f00000', '4000', 1),
      fault(7, 2, '7ffff7f01008', '6'),
      ...mprotect(8, 3, '7ffff7f01000', '1000', 3),
      ...mprotect(7, 4, '7ffff7f02000', '1000', 3),
    ]);
    const r = await resolve(d);
    expect(r.fh).toMatchObject({ signals: 1, signals_recovered: 0, signals_unexplained: 1 });
  });
});

describe('initial page state', () => {
  it('a protection write fault on a page the model never mapped is seeded, then copied on write', async () => {
    // The real page was present read-only (the zero page, read before the capture began).
    const d = capture([fault(1, 1, '7ffff7f03000', '7')]);
    for (const p of builtinStrategies) {
      const r = await resolve(d, p);
      expect(r.fh.seeded_pages, p.meta.name).toBe(1);
      expect(r.fh.faults, p.meta.name).toMatchObject({ handled: 1, cow: 1, zero_page: 0, anon: 0 });
      // The seed read is work the model added: counted in the counters only.
      expect(r.fh.counters.zero_page_faults, p.meta.name).toBe(1);
      expect(r.fh.page_tables.ptes).toBe(1);
    }
    const off = await replayCapture(d, {
      index: referencePlugin,
      faults: coreFaultHandler({ strategy: mmapLockPlugin, seedPresentPages: false }),
    });
    expect(off.fault_handling).toMatchObject({ seeded_pages: 0, faults: { handled: 1, anon: 1, cow: 0 } });
  });

  it('no seeding for signalling protection faults (read-only VMA, PK)', async () => {
    const d = capture([fault(1, 1, '555555554000', '7'), fault(1, 2, '7ffff7f03000', '27')]);
    const r = await resolve(d);
    expect(r.fh.seeded_pages).toBe(0);
    expect(r.fh.faults).toMatchObject({ segv_accerr: 2 });
  });

  it('the files of start.maps are in the page cache: their first faults are minor', async () => {
    const d = capture([fault(1, 1, '7ffff7fc0010', '14'), fault(1, 2, '555555554000', '4')]);
    const r = await resolve(d);
    expect(r.fh.faults).toMatchObject({ handled: 2, file: 2, major: 0, minor: 2 });
    expect(r.fh.warmed_pages).toBe(1 + 0x3f);
    const cold = await replayCapture(d, {
      index: referencePlugin,
      faults: coreFaultHandler({ strategy: mmapLockPlugin, warmPageCache: false }),
    });
    expect(cold.fault_handling).toMatchObject({ warmed_pages: 0, faults: { major: 2 } });
  });

  it('[stack] without smaps grows down (VM_GROWSDOWN from maps alone)', async () => {
    const d = capture(
      [fault(1, 1, '7ffffffdc010', '6')],
      [
        ...START.slice(0, 4),
        '7ffffffdc000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
      ],
    );
    const r = await resolve(d);
    expect(r.fh.faults).toMatchObject({ handled: 1, stack_expansions: 1 });
    expect(r.final).toMatchObject({ exact_match: true });
  });
});

describe('pairings and determinism', () => {
  it('an unsafe pairing is refused by the handler and skipped, with the reason, by replayMatrix', async () => {
    const d = capture([fault(1, 1, '7ffff7f00000', '6')]);
    await expect(
      replayCapture(d, { index: rbtreePlugin, faults: coreFaultHandler({ strategy: perVmaLockPlugin }) }),
    ).rejects.toThrow(UnsafePairingError);
    const cells = await replayMatrix(d, { indexes: [rbtreePlugin], strategies: builtinStrategies });
    expect(cells.map((c) => [c.strategy, c.skipped === null])).toEqual([
      ['mmap-lock', true],
      ['spf-copy-vma', true],
      ['spf-copy-attrs', true],
      ['per-vma-lock', false],
    ]);
    const skipped = cells[3]!;
    expect(skipped.report).toBeNull();
    expect(skipped.skipped).toMatch(/'unsafe' index/);
    expect(skipped.capture).toBe(cells[0]!.capture);
    const flagged = await replayCapture(d, {
      index: rbtreePlugin,
      faults: coreFaultHandler({ strategy: perVmaLockPlugin, allowUnsafe: true }),
    });
    expect(flagged.fault_handling).toMatchObject({ handled: 1 });
  });

  it('the same capture gives byte-identical reports', async () => {
    const d = capture([
      ...mprotect(7, 1, '7ffff7f00000', '4000', 1),
      fault(7, 2, '7ffff7f01008', '6'),
      fault(7, 3, '7ffff7f02008', '4'),
      fault(8, 4, '7ffff7fc0010', '14'),
    ]);
    const a = JSON.stringify(await resolve(d, builtinStrategies[1]));
    const b = JSON.stringify(await resolve(d, builtinStrategies[1]));
    expect(a).toBe(b);
  });

  it('bytes copied: the speculative copies of a multi-threaded trace, and their average', async () => {
    const d = capture([fault(1, 1, '7ffff7f00000', '6'), fault(2, 2, '7ffff7f01000', '6')]);
    const r = await resolve(d, builtinStrategies[1]);
    // Two threads: speculation is attempted; both faults copy the whole maple-era VMA (160 B).
    expect(r.fh.mm_users).toBe(2);
    expect(r.fh.bytes_copied).toBe(320);
    expect(r.fh.bytes_copied_per_fault).toBe(160);
    const one = capture([fault(1, 1, '7ffff7f00000', '6'), fault(1, 2, '7ffff7f01000', '6')]);
    expect((await resolve(one, builtinStrategies[1])).fh).toMatchObject({ mm_users: 1, bytes_copied: 0 });
  });
});
