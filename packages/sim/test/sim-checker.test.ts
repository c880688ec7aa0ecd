/**
 * The protocol-safety checker: each rule on hand-made situations, every mutant caught on a standard
 * workload with a fixed seed, and the faithful strategies clean on every standard workload and index.
 */
import { MmStruct, PAGE_SIZE, PTE_NX, PTE_PRESENT, PTE_RW, PTE_USER, uapi } from '@vmakit/core';
import { builtinStrategies, strategyPluginByName } from '@vmakit/strategies';
import { createFaultEnv, FRAME_ANON, type LookupStep, SEGV_MAPERR, SIGSEGV } from '@vmakit/x86-fault';
import { describe, expect, it } from 'vitest';
import { MUTANTS, runSim, SafetyChecker } from '../src/index.js';
import { builtinWorkloads, workloadByName } from '../src/workloads/index.js';
import { INDEXES, indexNamed, maplePlugin, referencePlugin } from './sim-helpers.js';

const { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } = uapi;

/** A checker over a fresh mm with one anonymous VMA, and hooks to steer what the host reports. */
function fixture() {
  const mm = new MmStruct(referencePlugin.create());
  const env = createFaultEnv(mm, {});
  const a = mm.mmap(0, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  const vma = mm.vmaLookup(a)!;
  const state = { now: 0, inRcu: [false, false], since: [0, 0], holders: [] as number[] };
  const chk = new SafetyChecker({
    mm,
    env,
    cpus: 2,
    now: () => state.now,
    inRcu: (c) => state.inRcu[c]!,
    rcuSince: (c) => state.since[c]!,
    readHolders: () => state.holders,
  });
  /** The PTE slot of `addr`, building its tables by populating the page (mlock) if needed. */
  const slotOf = (addr: number): number => {
    let slot = env.pt.pteSlotOf(addr);
    if (slot < 0) {
      mm.mlock(addr, PAGE_SIZE);
      mm.munlock(addr, PAGE_SIZE);
      slot = env.pt.pteSlotOf(addr);
    }
    return slot;
  };
  /** Tell the checker `cpu` installed a fresh anonymous page at `addr` with PTE bits `flags`. */
  const install = (cpu: number, addr: number, flags: number, fault = true) => {
    chk.pteSet(cpu, slotOf(addr), env.phys.alloc(FRAME_ANON), flags, fault);
  };
  return { mm, env, vma, chk, state, install };
}

const lookupStep = (
  vma: ReturnType<typeof fixture>['vma'],
  lockless: boolean,
  outcome: LookupStep['outcome'] = 'clean',
): LookupStep => ({
  op: 'lookup',
  lockless,
  addr: vma.start,
  kind: 'lookup',
  lines: [vma.id, 0],
  outcome,
  semantics: 'snapshot',
  found: outcome === 'missed' ? -1 : vma.id,
  vma: outcome === 'missed' ? null : vma,
});

describe('checker rules', () => {
  it('pte-mismatch: a PTE must agree with the VMA covering it', () => {
    const { vma, chk, install, mm } = fixture();
    const ok = PTE_PRESENT | PTE_USER | PTE_RW | PTE_NX;
    install(0, vma.start, ok);
    expect(chk.total).toBe(0);
    install(0, vma.start + PAGE_SIZE, PTE_PRESENT | PTE_USER | PTE_RW); // executable
    expect(chk.counts['pte-mismatch']).toBe(1);
    mm.mprotect(vma.start, 16 * PAGE_SIZE, PROT_READ);
    install(0, vma.start + 2 * PAGE_SIZE, ok); // writable in a read-only VMA
    expect(chk.counts['pte-mismatch']).toBe(2);
    mm.munmap(vma.start + 8 * PAGE_SIZE, 8 * PAGE_SIZE);
    install(0, vma.start + 9 * PAGE_SIZE, PTE_PRESENT | PTE_USER | PTE_NX); // nothing mapped there
    expect(chk.counts['pte-mismatch']).toBe(3);
    expect(chk.samples[2]!.message).toMatch(/no VMA covers it/);
  });

  it('stale-vma: a fault commits only on a VMA unchanged since its validation', () => {
    const { vma, chk, install } = fixture();
    const ok = PTE_PRESENT | PTE_USER | PTE_RW | PTE_NX;
    chk.faultStart(0);
    chk.validationStart(0);
    chk.lookup(0, lookupStep(vma, false));
    install(0, vma.start, ok);
    expect(chk.total).toBe(0);
    chk.modified(vma, 1); // another CPU's writer changes it
    install(0, vma.start + PAGE_SIZE, ok);
    expect(chk.counts['stale-vma']).toBe(1);
    // Re-validating (taking the lock again) makes it fine.
    chk.validationStart(0);
    install(0, vma.start + 2 * PAGE_SIZE, ok);
    expect(chk.counts['stale-vma']).toBe(1);
    // A fault changing its own VMA (stack expansion) validates anew.
    chk.modified(vma, 0);
    install(0, vma.start + 3 * PAGE_SIZE, ok);
    expect(chk.counts['stale-vma']).toBe(1);
  });

  it('stale-vma: a speculative copy must be validated before the fault acts on it', () => {
    const { vma, chk } = fixture();
    chk.faultStart(0);
    chk.validationStart(0);
    chk.lookup(0, lookupStep(vma, true));
    chk.vmaCopy(0, vma.id);
    chk.modified(vma, 1);
    chk.seqValidated(0); // the check passed (it would not have): no violation
    chk.proceed(0);
    expect(chk.total).toBe(0);
    chk.lookup(0, lookupStep(vma, true));
    chk.vmaCopy(0, vma.id);
    chk.modified(vma, 1);
    chk.abort(0); // aborted: nothing used
    chk.proceed(0);
    expect(chk.total).toBe(0);
    chk.validationStart(0);
    chk.vmaCopy(0, vma.id);
    chk.modified(vma, 1);
    chk.proceed(0);
    expect(chk.counts['stale-vma']).toBe(1);
  });

  it('use-after-free: frees racing RCU readers or lock holders, and reads of freed objects', () => {
    const { vma, chk, state } = fixture();
    // A reader inside a section begun before the unlink.
    state.inRcu[1] = true;
    state.since[1] = 10;
    state.now = 20;
    chk.freedNow(vma.id, 'VMA', 15);
    expect(chk.counts['use-after-free']).toBe(1);
    // A reader that started after the unlink could not have reached it.
    state.since[1] = 30;
    chk.freedNow(9999, 'index node', 25);
    expect(chk.counts['use-after-free']).toBe(1);
    // A per-VMA read-lock holder.
    state.inRcu[1] = false;
    state.holders = [0];
    chk.freedNow(8888, 'VMA', 40);
    expect(chk.counts['use-after-free']).toBe(2);
    // Touching a freed VMA.
    chk.touchVma(0, vma.id);
    expect(chk.counts['use-after-free']).toBe(3);
  });

  it('spurious-sigsegv: SIGSEGV for a mapped address', () => {
    const { vma, chk } = fixture();
    const seg = {
      addr: vma.start,
      outcome: 'sigsegv',
      signal: SIGSEGV,
      code: SEGV_MAPERR,
      pkey: 0,
      vmFault: 0,
      major: false,
      path: 'vma-lock',
      attempts: 0,
      retries: 0,
      abort: null,
    } as const;
    chk.faultStart(0);
    chk.faultEnd(0, seg);
    expect(chk.counts['spurious-sigsegv']).toBe(1);
    // A lockless walk that missed a mapped address, trusted.
    chk.modified(vma, 1);
    chk.faultStart(0);
    chk.modified(vma, 1);
    chk.lookup(0, lookupStep(vma, true, 'missed'));
    chk.faultEnd(0, seg);
    expect(chk.counts['spurious-sigsegv']).toBe(2);
    // After a locked lookup the answer is trusted even when the VMA changed meanwhile.
    chk.faultStart(0);
    chk.lookup(0, lookupStep(vma, true, 'missed'));
    chk.lookup(0, lookupStep(vma, false));
    chk.modified(vma, 1);
    chk.faultEnd(0, seg);
    expect(chk.counts['spurious-sigsegv']).toBe(2);
  });

  it('vma-modified-while-locked', () => {
    const { vma, chk } = fixture();
    chk.modifiedWhileLocked(vma, [0, 1]);
    expect(chk.counts['vma-modified-while-locked']).toBe(2);
  });
});

describe('mutants', () => {
  for (const m of MUTANTS) {
    it(`${m.name} is caught (${m.catches.workload}, ${m.catches.strategy} over ${m.catches.index})`, () => {
      const c = m.catches;
      const p = runSim({
        workload: workloadByName(c.workload),
        ...(c.params !== undefined ? { params: c.params } : {}),
        cpus: c.cpus,
        strategy: strategyPluginByName(c.strategy),
        index: indexNamed(c.index),
        seed: c.seed,
        durationNs: c.durationNs,
        mutant: m.name,
      });
      expect(p.violations, JSON.stringify(p.violation_samples[0])).toBeGreaterThan(0);
    }, 60_000);
  }
});

describe('faithful strategies run clean', () => {
  it('on every standard workload, strategy and index (4 CPUs)', () => {
    const dirty: string[] = [];
    for (const w of builtinWorkloads) {
      for (const s of builtinStrategies) {
        for (const index of INDEXES) {
          const p = runSim({
            workload: w,
            cpus: 4,
            strategy: s,
            index,
            durationNs: 40_000,
            warmupNs: 20_000,
            allowUnsafe: true,
          });
          if (p.violations > 0 || p.engine.conflicts > 0 || p.engine.placement_mispredictions > 0) {
            dirty.push(
              `${w.meta.name}/${s.meta.name}/${index.meta.name}: ${JSON.stringify(p.violation_samples[0])}`,
            );
          }
        }
      }
    }
    expect(dirty).toEqual([]);
  }, 120_000);

  it('under contention (16 CPUs, the workloads with concurrent writers)', () => {
    const dirty: string[] = [];
    for (const name of ['page_fault1', 'ebizzy', 'mixed']) {
      for (const s of builtinStrategies) {
        for (const index of [maplePlugin, indexNamed('cow-btree'), indexNamed('rbtree')]) {
          const p = runSim({
            workload: workloadByName(name),
            cpus: 16,
            strategy: s,
            index,
            durationNs: 150_000,
            allowUnsafe: true,
          });
          if (p.violations > 0 || p.engine.conflicts > 0)
            dirty.push(`${name}/${s.meta.name}/${index.meta.name}`);
        }
      }
    }
    expect(dirty).toEqual([]);
  }, 120_000);
});
