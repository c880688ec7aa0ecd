import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnknownNameError } from '@vmakit/core';
import { maplePlugin } from '@vmakit/index-maple';
import { rbtreePlugin } from '@vmakit/index-rbtree';
import { mmapLockPlugin, perVmaLockPlugin, spfCopyAttrsPlugin, spfCopyVmaPlugin } from '@vmakit/strategies';
import { findRepoRoot, findSharedDir, referencePlugin, sharedMissingMessage } from '@vmakit/testkit';
import type { FaultStrategy, StrategyPlugin } from '@vmakit/x86-fault';
import { X86_PF_WRITE } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import {
  FaultBenchVerificationError as CliVerificationError,
  formatFaultBenchMarkdown as cliFormat,
  runFaultBenchmarks as cliRun,
} from '../src/cli-entry.js';
import {
  benchedEndState,
  defaultCaptureDirs,
  FaultBenchVerificationError,
  formatFaultBenchMarkdown,
  loadCaptureWorkload,
  measureKernelFaultRate,
  PAGE_FAULT1,
  pageFault1Workload,
  referenceEndState,
  resolveCaptureDir,
  runFaultBenchmarks,
  verifyPairing,
} from '../src/index.js';

const root = findRepoRoot();
const fixture = (name: string): string => join(root!, 'fixtures', 'captures', name);

/** The fixture captures' counts (fixtures/captures/README.md), checked against end.maps by capture's tests. */
const FIXTURES = [
  { name: 'mmap-touch', faults: 156, threads: 1, startVmas: 28, endVmas: 33 },
  { name: 'arena-churn', faults: 1049, threads: 4, startVmas: 27, endVmas: 40 },
  { name: 'brk-heap', faults: 551, threads: 1, startVmas: 27, endVmas: 28 },
] as const;

/** mmap-lock that turns every write fault into a read: fast enough, and wrong. */
function readsInsteadOfWrites(): FaultStrategy {
  const inner = mmapLockPlugin.strategy;
  return {
    name: 'reads-instead-of-writes',
    description: 'test double: drops X86_PF_WRITE',
    needs: inner.needs,
    mutations: [],
    bytesCopied: (era) => inner.bytesCopied(era),
    fault: (env, req) => inner.fault(env, { ...req, errorCode: req.errorCode & ~X86_PF_WRITE }),
  };
}

function pluginOf(strategy: FaultStrategy): StrategyPlugin<object> {
  return {
    ...mmapLockPlugin,
    meta: { ...mmapLockPlugin.meta, name: strategy.name },
    strategy,
    create: () => strategy,
  };
}

describe('fault workloads from the fixture captures', () => {
  it.each(FIXTURES)('$name: events, faults and initial VMAs as recorded', async (f) => {
    const w = await loadCaptureWorkload(fixture(f.name));
    expect(w.name).toBe(f.name);
    expect(w.kind).toBe('capture');
    expect(w.source).toBe(fixture(f.name));
    expect(w.faults).toBe(f.faults);
    expect(w.threads).toBe(f.threads);
    expect(w.events.length).toBe(w.faults + w.syscalls);
    expect(w.events.filter((e) => typeof e !== 'function').length).toBe(f.faults);
    const st = w.fresh(maplePlugin);
    expect(st.mm.vmas().length).toBe(f.startVmas);
    // A second fresh state is independent of the first (each sample starts from scratch).
    expect(w.fresh(maplePlugin).mm).not.toBe(st.mm);
  });

  it.each(FIXTURES)('$name: the timed path ends as the reference replay and as end.maps', async (f) => {
    const w = await loadCaptureWorkload(fixture(f.name));
    const expected = await referenceEndState(w);
    expect(expected.vma_count).toBe(f.endVmas);
    for (const [index, strategy] of [
      [rbtreePlugin, mmapLockPlugin],
      [maplePlugin, spfCopyVmaPlugin],
      [maplePlugin, spfCopyAttrsPlugin],
      [maplePlugin, perVmaLockPlugin],
    ] as const) {
      expect(verifyPairing(w, index, strategy, expected)).toEqual(expected);
    }
    // Replaying again from a fresh state gives the same end (no state leaks between samples).
    expect(benchedEndState(w, maplePlugin, mmapLockPlugin.strategy)).toEqual(expected);
  });

  it('resolves default capture names, folder paths and the synthetic workload; rejects unknown names', () => {
    const defaults = defaultCaptureDirs();
    for (const f of FIXTURES) expect(defaults).toContain(fixture(f.name));
    expect(resolveCaptureDir('brk-heap', defaults)).toBe(fixture('brk-heap'));
    expect(resolveCaptureDir(fixture('mmap-touch'), defaults)).toBe(fixture('mmap-touch'));
    expect(resolveCaptureDir(PAGE_FAULT1, defaults)).toBe(PAGE_FAULT1);
    expect(() => resolveCaptureDir('no-such-capture', defaults)).toThrow(UnknownNameError);
    expect(() => resolveCaptureDir('no-such-capture', defaults)).toThrow(/brk-heap/);
  });
});

describe('synthetic page_fault1', () => {
  it('writes every page of the mapping once, then unmaps it', async () => {
    const w = pageFault1Workload(1, 2);
    expect(w).toMatchObject({ name: PAGE_FAULT1, kind: 'synthetic', source: null, faults: 512, syscalls: 4 });
    const end = benchedEndState(w, rbtreePlugin, mmapLockPlugin.strategy);
    expect(end.counters).toMatch(/anon_faults=512 /);
    expect(end.counters).toMatch(/zero_page_faults=0 /);
    expect(end).toMatchObject({ vma_count: 0, ptes: 0, rss: '0/0/0' });
    expect(await referenceEndState(w)).toEqual(end);
  });
});

describe('verification', () => {
  it('rejects a fault path that resolves writes as reads, naming what differs', async () => {
    const w = await loadCaptureWorkload(fixture('brk-heap'));
    const expected = await referenceEndState(w);
    const wrong = readsInsteadOfWrites();
    expect(() => verifyPairing(w, maplePlugin, wrong, expected)).toThrow(FaultBenchVerificationError);
    expect(() => verifyPairing(w, maplePlugin, wrong, expected)).toThrow(/page_tables .*counters/);
    const pf1 = pageFault1Workload(1);
    expect(() =>
      verifyPairing(pf1, rbtreePlugin, wrong, benchedEndState(pf1, referencePlugin, mmapLockPlugin.strategy)),
    ).toThrow(/reads-instead-of-writes over rbtree does not end as the reference replay/);
  });

  it("follows the descriptor table: a read-only fd's MAP_SHARED mapping cannot be made writable", async () => {
    // openat(O_RDONLY) = 3; mmap(7 pages, PROT_READ, MAP_SHARED, 3); close(3); then
    // mprotect(PROT_READ|PROT_WRITE), which the kernel refused with EACCES (do_mmap cleared
    // VM_MAYWRITE), and a write fault there, which it answered with SIGSEGV.
    const dir = mkdtempSync(join(tmpdir(), 'vmakit-bench-fd-'));
    try {
      const at = (t: number, event: string, fields: string) =>
        `              dd 1 [000]  ${t.toFixed(6)}: ${event}: ${fields}`;
      const start = [
        '555555554000-555555555000 r--p 00000000 fe:00 100                        /opt/app/file1',
        '555555555000-555555576000 rw-p 00000000 00:00 0                          [heap]',
        '7ffff7fc0000-7ffff7fff000 r-xp 00000000 fe:00 200                        /opt/app/file2.so',
        '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
      ];
      const trace = [
        at(
          1,
          'syscalls:sys_enter_openat',
          'dfd: 0xffffff9c, filename: 0x7f9b3cbb7970, flags: 0x00080000, mode: 0x00000000',
        ),
        at(1.000001, 'syscalls:sys_exit_openat', '0x3'),
        at(
          2,
          'syscalls:sys_enter_mmap',
          'addr: 0x00000000, len: 0x00007000, prot: 0x00000001, flags: 0x00000001, fd: 0x00000003, off: 0x00000000',
        ),
        at(2.000001, 'syscalls:sys_exit_mmap', '0x7ffff7fb9000'),
        at(3, 'syscalls:sys_enter_close', 'fd: 0x00000003'),
        at(3.000001, 'syscalls:sys_exit_close', '0x0'),
        at(4, 'syscalls:sys_enter_mprotect', 'start: 0x7ffff7fb9000, len: 0x00007000, prot: 0x00000003'),
        at(4.000001, 'syscalls:sys_exit_mprotect', '0xfffffffffffffff3'),
        at(5, 'exceptions:page_fault_user', 'address=0x7ffff7fba010 ip=0x555555554100 error_code=0x6'),
      ];
      writeFileSync(join(dir, 'start.maps'), `${start.join('\n')}\n`);
      writeFileSync(join(dir, 'trace.txt'), `${trace.join('\n')}\n`);
      const w = await loadCaptureWorkload(dir);
      expect(w.faults).toBe(1);
      const expected = await referenceEndState(w);
      // The reference replay (replayCapture) follows the descriptors; the timed path must too.
      for (const ix of [maplePlugin, rbtreePlugin])
        expect(() => verifyPairing(w, ix, mmapLockPlugin.strategy, expected)).not.toThrow();
      const end = benchedEndState(w, maplePlugin, mmapLockPlugin.strategy);
      expect(end.ptes).toBe(0); // the write was refused: nothing mapped
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runFaultBenchmarks refuses to time a wrong pairing', async () => {
    await expect(
      cliRun({
        strategies: [pluginOf(readsInsteadOfWrites())],
        indexes: [maplePlugin],
        captures: ['brk-heap'],
        kernel: false,
        quick: true,
        time: 5,
      }),
    ).rejects.toThrow(CliVerificationError);
  });
});

describe('the kernel page_fault1 program', () => {
  it('reports a missing compiler as a skip with the reason', async () => {
    const r = await measureKernelFaultRate({ cc: 'vmakit-no-such-compiler', seconds: 0.01 });
    expect(r.measured).toBe(false);
    if (!r.measured) {
      expect(r.reason).toMatch(process.platform === 'linux' ? /no working C compiler.*CC/ : /not Linux/);
    }
    const bad = await measureKernelFaultRate({ seconds: -1 });
    expect(bad).toEqual({ measured: false, reason: expect.stringMatching(/invalid options/) });
  });

  it('compiles with the system compiler and its output parses', async () => {
    const r = await measureKernelFaultRate({ seconds: 0.02, warmupSeconds: 0, megabytes: 4 });
    if (!r.measured) {
      // No compiler here (or not Linux): the skip must say why.
      expect(r.reason).toMatch(/compiler|Linux/);
      return;
    }
    expect(r.page_size).toBe(4096);
    expect(r.iterations).toBeGreaterThanOrEqual(1);
    expect(r.faults).toBe(r.iterations * 1024);
    expect(r.minflt).toBeGreaterThanOrEqual(r.faults);
    expect(r.fault_seconds).toBeGreaterThan(0);
    expect(r.total_seconds).toBeGreaterThanOrEqual(r.fault_seconds);
    expect(r.faults_per_sec).toBeCloseTo(r.faults / r.fault_seconds, 6);
    // The fastest round is at least the average one (an identity, not a timing claim).
    expect(r.faults_per_sec_best).toBeGreaterThanOrEqual(r.faults_per_sec * (1 - 1e-9));
    expect(typeof r.no_huge_pages).toBe('boolean');
  });
});

describe('runFaultBenchmarks report', () => {
  it('times every safe pairing on each workload, skips unsafe ones, and renders', async () => {
    const progress: string[] = [];
    const report = await runFaultBenchmarks({
      strategies: [mmapLockPlugin, perVmaLockPlugin],
      indexes: [rbtreePlugin, maplePlugin],
      captures: ['mmap-touch', PAGE_FAULT1],
      quick: true,
      time: 5,
      pageFault1Megabytes: 1,
      kernel: { seconds: 0.02, warmupSeconds: 0, megabytes: 4 },
      retainSamples: 3,
      onProgress: (done, total, label) => progress.push(`${done}/${total} ${label}`),
    });
    expect(report.schema).toBe('vmakit-bench-faults/1');
    expect(report.aborted).toBe(false);
    const kernel = report.kernel!;
    // Two kernel runs (before and after) when the first was measured, one skip otherwise.
    expect(report.kernel_runs.length).toBe(kernel.measured ? 2 : 1);
    expect(progress.at(-1)).toMatch(kernel.measured ? /^10\/10 kernel page_fault1 after/ : /^9\/10 /);
    expect(report.options).toMatchObject({
      quick: true,
      time: 5,
      captures: ['mmap-touch', PAGE_FAULT1],
      strategies: ['mmap-lock', 'per-vma-lock'],
      indexes: ['rbtree', 'maple'],
      page_fault1_megabytes: 1,
    });
    // per-vma-lock needs RCU-safe lockless lookups, which rbtree does not give.
    expect(report.skipped.map((s) => `${s.capture} ${s.strategy} ${s.index}`)).toEqual([
      'mmap-touch per-vma-lock rbtree',
      `${PAGE_FAULT1} per-vma-lock rbtree`,
    ]);
    expect(report.results.map((r) => `${r.capture} ${r.strategy} ${r.index}`)).toEqual([
      'mmap-touch mmap-lock rbtree',
      'mmap-touch mmap-lock maple',
      'mmap-touch per-vma-lock maple',
      `${PAGE_FAULT1} mmap-lock rbtree`,
      `${PAGE_FAULT1} mmap-lock maple`,
      `${PAGE_FAULT1} per-vma-lock maple`,
    ]);
    for (const r of report.results) {
      expect(r.faults).toBe(r.capture === PAGE_FAULT1 ? 256 : 156);
      expect(r.kind).toBe(r.capture === PAGE_FAULT1 ? 'synthetic' : 'capture');
      for (const v of [r.ns_per_fault_p50, r.ns_p99, r.ns_mean, r.faults_per_sec, r.faults_per_sec_p50]) {
        expect(Number.isFinite(v) && v > 0).toBe(true);
      }
      // Pooled rate: faults over total time, the same kind of figure as the kernel's.
      expect(Math.abs((r.faults_per_sec * r.ns_mean) / 1e9 - 1)).toBeLessThan(1e-9);
      expect(r.faults_per_sec_best).toBeGreaterThanOrEqual(r.faults_per_sec * (1 - 1e-9));
      expect(r.samples).toBeGreaterThanOrEqual(2);
      expect(r.samples_ns!.length).toBeLessThanOrEqual(3);
      if (kernel.measured) {
        expect(r.ratio_vs_kernel).toBeCloseTo(r.faults_per_sec / kernel.faults_per_sec, 9);
        expect(r.ratio_best_vs_kernel_best).toBeCloseTo(
          r.faults_per_sec_best / kernel.faults_per_sec_best,
          9,
        );
      } else {
        expect(r.ratio_vs_kernel).toBeNull();
        expect(r.ratio_best_vs_kernel_best).toBeNull();
      }
    }
    if (kernel.measured) {
      expect(report.targets.map((t) => `${t.strategy} ${t.index}`)).toEqual([
        'mmap-lock rbtree',
        'mmap-lock maple',
        'per-vma-lock maple',
      ]);
      for (const t of report.targets) {
        expect(t.met).toBe(t.value >= 1);
        expect(t.met_best).toBe(t.value_best >= 1);
      }
      const runs = report.kernel_runs.filter((r) => r.measured);
      expect(kernel.faults).toBe(runs.reduce((a, r) => a + r.faults, 0));
    } else {
      expect(report.targets).toEqual([]);
      expect(report.notes.join('\n')).toMatch(/kernel fault rate not measured/);
    }
    const md = formatFaultBenchMarkdown(report);
    expect(md).toContain('## Fault-path benchmarks');
    expect(md).toContain('### mmap-touch (156 faults per sample)');
    expect(md).toContain(`### ${PAGE_FAULT1} (256 faults per sample)`);
    expect(md).toMatch(/- per-vma-lock over rbtree: /);
    expect(md).toMatch(kernel.measured ? /Kernel \(page_fault1-style/ : /Kernel fault rate: not measured/);
    expect(cliFormat(report)).toBe(md);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('rejects bad options and unknown captures with clear errors', async () => {
    const base = { strategies: [mmapLockPlugin], indexes: [maplePlugin], kernel: false } as const;
    await expect(runFaultBenchmarks({ ...base, captures: ['nope'] })).rejects.toThrow(UnknownNameError);
    await expect(runFaultBenchmarks({ ...base, time: 0 })).rejects.toThrow(/time must be a positive/);
    await expect(runFaultBenchmarks({ ...base, pageFault1Megabytes: 0.5 })).rejects.toThrow(
      /pageFault1Megabytes/,
    );
    await expect(runFaultBenchmarks({ ...base, strategies: [] })).rejects.toThrow(/at least one strategy/);
    await expect(runFaultBenchmarks({ ...base, indexes: [maplePlugin, maplePlugin] })).rejects.toThrow(
      /index 'maple' is given twice/,
    );
  });

  it('stops at an abort and says so', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await runFaultBenchmarks({
      strategies: [mmapLockPlugin],
      indexes: [maplePlugin],
      captures: ['brk-heap'],
      kernel: false,
      signal: controller.signal,
    });
    expect(report.aborted).toBe(true);
    expect(report.results).toEqual([]);
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('fault workloads from the shared captures', () => {
  it('c-arenas and py-sqlite load, and spf-copy-vma over maple ends as the reference replay', async () => {
    for (const name of ['c-arenas', 'py-sqlite']) {
      const w = await loadCaptureWorkload(join(traces!, name));
      expect(w.faults).toBeGreaterThan(1000);
      expect(w.events.length).toBe(w.faults + w.syscalls);
      const expected = await referenceEndState(w);
      expect(verifyPairing(w, maplePlugin, spfCopyVmaPlugin, expected)).toEqual(expected);
    }
  });
});

if (traces === null) console.warn(sharedMissingMessage('traces'));
