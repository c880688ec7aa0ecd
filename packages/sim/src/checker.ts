/**
 * The protocol-safety checker. It runs beside every simulation and watches what faults and writers
 * actually do, independently of how a strategy claims to be safe:
 *
 * - `pte-mismatch`: every PTE a fault (or a populate) installs must agree with the VMA that covers its
 *   address at that instant: a VMA exists; a writable PTE needs VM_WRITE, an executable one VM_EXEC, a
 *   present one some access right; the protection key matches; the page is the right kind — the zero
 *   page or an anonymous page only in a private mapping, a file page only at its file and offset.
 * - `stale-vma`: a fault may act only on a VMA that has not changed since the fault's validation
 *   started — since it took the mmap lock, since its per-VMA read-trylock succeeded, or (speculative
 *   faults) since it read mmap_seq. Checked when a fault installs a PTE, and at every step a
 *   speculative fault takes on a VMA copy that no passed mmap_seq check has validated yet. A copy
 *   taken while a writer has the VMA write-marked (vma_start_write, until mmap_write_unlock) counts
 *   as changed: the writer may be rewriting its fields, so the copy may be torn (the model applies a
 *   system call's changes atomically, the kernel does not).
 * - `use-after-free`: no VMA or index node is read after it was freed. Freeing an object while an RCU
 *   reader whose read-side section began before the object was unlinked is still inside that section
 *   is a violation at the moment of the free (such a reader may hold it: the grace period was not
 *   waited for), as is freeing a VMA a fault holds read-locked.
 * - `spurious-sigsegv`: a fault must not end in SIGSEGV (SEGV_MAPERR) for an address a VMA covered,
 *   unchanged, from before the fault started until it ended, nor because its last lookup was a
 *   lockless walk that missed a VMA covering the address at that instant.
 * - `vma-modified-while-locked`: a writer changed a VMA it had write-locked (vma_start_write) while a
 *   fault held it for reading — the fault got its read lock past the writer's mark.
 *
 * "Changed" means: a system call or stack expansion modified the VMA's range, flags, protection,
 * offset or file, created it, or detached it (anon_vma assignment by faults is not a change). The
 * engine reports those events with `modified()`.
 */
import {
  type MmStruct,
  PTE_NX,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_RW,
  VM_EXEC,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Vma,
} from '@vmakit/core';
import {
  type FaultEnv,
  type FaultResult,
  FRAME_ANON,
  type LookupStep,
  PTE_PKEY_MASK,
  PTE_PKEY_SHIFT,
  PTRS_PER_TABLE,
  SEGV_MAPERR,
  ZERO_FRAME,
} from '@vmakit/x86-fault';

/** The rules the checker enforces. */
export const VIOLATION_RULES = [
  'pte-mismatch',
  'stale-vma',
  'use-after-free',
  'spurious-sigsegv',
  'vma-modified-while-locked',
] as const;

/** A rule name. */
export type ViolationRule = (typeof VIOLATION_RULES)[number];

/** One violation. */
export interface Violation {
  readonly rule: ViolationRule;
  readonly cpu: number;
  /** Simulated time in ns. */
  readonly ns: number;
  readonly message: string;
}

/** What the checker needs from the engine. */
export interface CheckerHost {
  readonly mm: MmStruct;
  readonly env: FaultEnv;
  /** Simulated CPUs. */
  readonly cpus: number;
  /** Current simulated time (ps). */
  now(): number;
  /** True when `cpu` is inside an RCU read-side section. */
  inRcu(cpu: number): boolean;
  /** When `cpu`'s current RCU read-side section began (ps; meaningful while inRcu). */
  rcuSince(cpu: number): number;
  /** CPUs holding the per-VMA lock of VMA `id` for reading (empty when none). */
  readHolders(id: number): readonly number[];
}

const SAMPLE_LIMIT = 20;

function hex(x: number): string {
  return `0x${x.toString(16)}`;
}

/** The checker of one simulation. */
export class SafetyChecker {
  readonly counts: Record<ViolationRule, number> = {
    'pte-mismatch': 0,
    'stale-vma': 0,
    'use-after-free': 0,
    'spurious-sigsegv': 0,
    'vma-modified-while-locked': 0,
  };
  /** The first violations, for reports. */
  readonly samples: Violation[] = [];
  total = 0;
  private modCounter = 0;
  private readonly lastMod = new WeakMap<Vma, number>();
  /** Freed objects and what they were (messages never carry object ids: they differ between runs). */
  private readonly freed = new Map<number, string>();
  private readonly guard: Float64Array;
  private readonly startMod: Float64Array;
  private readonly faultVma: (Vma | null)[];
  private readonly copyPending: Uint8Array;
  /** The pending copy was taken while a writer had the VMA write-marked. */
  private readonly copyTorn: Uint8Array;
  private readonly inFault: Uint8Array;
  /** The last lookup of the fault was a lockless walk that missed a mapped address. */
  private readonly missedMapped: Uint8Array;
  /** Object ids each CPU found in its current RCU read-side section. */
  private readonly rcuRefs: number[][];

  constructor(private readonly host: CheckerHost) {
    const n = host.cpus;
    this.guard = new Float64Array(n);
    this.startMod = new Float64Array(n);
    this.faultVma = new Array<Vma | null>(n).fill(null);
    this.copyPending = new Uint8Array(n);
    this.copyTorn = new Uint8Array(n);
    this.inFault = new Uint8Array(n);
    this.missedMapped = new Uint8Array(n);
    this.rcuRefs = Array.from({ length: n }, () => []);
  }

  private report(rule: ViolationRule, cpu: number, message: string): void {
    this.counts[rule]++;
    this.total++;
    if (this.samples.length < SAMPLE_LIMIT) {
      this.samples.push({ rule, cpu, ns: Math.floor(this.host.now() / 1000), message });
    }
  }

  /** The modification counter value of `v`'s last change (0: never changed since the run began). */
  lastModOf(v: Vma): number {
    return this.lastMod.get(v) ?? 0;
  }

  /** `v` was created, changed or detached by `cpu` (a writer, or a fault expanding a stack). */
  modified(v: Vma, cpu: number): void {
    const m = ++this.modCounter;
    this.lastMod.set(v, m);
    // A fault that changes its own VMA (stack expansion under the write lock) validates anew.
    if (cpu >= 0 && cpu < this.guard.length && this.inFault[cpu] === 1) this.guard[cpu] = m;
  }

  /** A fault starts on `cpu`. */
  faultStart(cpu: number): void {
    this.inFault[cpu] = 1;
    this.startMod[cpu] = this.modCounter;
    this.guard[cpu] = this.modCounter;
    this.faultVma[cpu] = null;
    this.copyPending[cpu] = 0;
    this.missedMapped[cpu] = 0;
  }

  /** The fault's validation starts now (lock taken, trylock won, mmap_seq read). */
  validationStart(cpu: number): void {
    this.guard[cpu] = this.modCounter;
  }

  private checkFreed(cpu: number, id: number, how: string): void {
    const what = this.freed.get(id);
    if (what !== undefined) this.report('use-after-free', cpu, `${what} ${how} after it was freed`);
  }

  /** A lookup step (locked or lockless). */
  lookup(cpu: number, step: LookupStep): void {
    if (this.inFault[cpu] === 1) {
      this.faultVma[cpu] = step.vma;
      this.missedMapped[cpu] =
        step.lockless && step.outcome === 'missed' && this.covering(step.addr) !== null ? 1 : 0;
    }
    const lines = step.lines;
    const rcu = step.lockless && this.host.inRcu(cpu);
    for (let i = 0; i < lines.length; i += 2) {
      const node = lines[i]!;
      if (this.freed.has(node)) this.checkFreed(cpu, node, 'walked by a lookup');
      if (rcu) this.rcuRefs[cpu]!.push(node);
    }
    if (step.found >= 0) {
      this.checkFreed(cpu, step.found, 'returned by a lookup');
      if (rcu) this.rcuRefs[cpu]!.push(step.found);
    }
  }

  /** A VMA copy step (speculative faults). */
  vmaCopy(cpu: number, vmaId: number): void {
    this.checkFreed(cpu, vmaId, 'copied');
    this.copyPending[cpu] = 1;
    const v = this.faultVma[cpu];
    this.copyTorn[cpu] = v !== null && v.id === vmaId && this.host.mm.isVmaWriteLocked(v) ? 1 : 0;
  }

  /** A cache-line access to a VMA (vma_start_read, the attribute copy's anon_vma read). */
  touchVma(cpu: number, vmaId: number): void {
    this.checkFreed(cpu, vmaId, 'read');
  }

  /** The fast path aborted: its copy will not be used. */
  abort(cpu: number): void {
    this.copyPending[cpu] = 0;
  }

  /** An mmap_seq check of the fault passed: its VMA copy is validated. */
  seqValidated(cpu: number): void {
    this.copyPending[cpu] = 0;
  }

  /**
   * The fault acts (walks page tables, allocates, installs): a VMA copy no passed mmap_seq check has
   * validated yet must come from a VMA that has not changed since mmap_seq was read.
   */
  proceed(cpu: number): void {
    if (this.copyPending[cpu] === 0) return;
    const v = this.faultVma[cpu];
    if (v === null) return;
    const torn = this.copyTorn[cpu] === 1;
    if (torn || this.lastModOf(v) > this.guard[cpu]!) {
      this.copyPending[cpu] = 0;
      this.report(
        'stale-vma',
        cpu,
        `speculative fault acts on an unvalidated copy of VMA [${hex(v.start)}, ${hex(v.end)}), ${torn ? 'copied while a writer had it write-marked' : 'which changed after mmap_seq was read'}`,
      );
    }
  }

  /** rcu_read_unlock() took `cpu` out of its read-side section. */
  rcuExit(cpu: number): void {
    this.rcuRefs[cpu]!.length = 0;
  }

  /**
   * `id` (a VMA or an index node, described by `what`), unlinked from readers' reach at `unlinkedAt`
   * (ps), is freed now.
   */
  freedNow(id: number, what: string, unlinkedAt: number): void {
    this.freed.set(id, what);
    const refs = this.rcuRefs;
    for (let c = 0; c < refs.length; c++) {
      if (!this.host.inRcu(c)) continue;
      if (refs[c]!.includes(id)) {
        this.report('use-after-free', c, `${what} freed while CPU ${c}'s RCU reader holds it`);
      } else if (this.host.rcuSince(c) <= unlinkedAt) {
        this.report(
          'use-after-free',
          c,
          `${what} freed without a grace period while CPU ${c} is in an RCU read-side section begun before it was unlinked`,
        );
      }
    }
    for (const c of this.host.readHolders(id)) {
      this.report('use-after-free', c, `${what} freed while CPU ${c} holds its per-VMA read lock`);
    }
  }

  /** A writer changed `v`, which it had write-locked, while `holders` held it for reading. */
  modifiedWhileLocked(v: Vma, holders: readonly number[]): void {
    for (const c of holders) {
      this.report(
        'vma-modified-while-locked',
        c,
        `VMA [${hex(v.start)}, ${hex(v.end)}) changed by a writer while CPU ${c} holds its read lock`,
      );
    }
  }

  /** VMA covering `addr` as the writer sees it, without disturbing probes or caches. */
  private covering(addr: number): Vma | null {
    const index = this.host.mm.index;
    const probe = index.probe;
    index.probe = null;
    try {
      return index.lookup(addr);
    } finally {
      index.probe = probe;
    }
  }

  /** set_pte_at() of PTE `slot` to (`frame`, `flags`) by `cpu`; `fault` when inside a user fault. */
  pteSet(cpu: number, slot: number, frame: number, flags: number, fault: boolean): void {
    const env = this.host.env;
    const pt = env.pt;
    const table = Math.floor(slot / PTRS_PER_TABLE);
    const addr = pt.base[table]! + (slot % PTRS_PER_TABLE) * 4096;
    const vma = this.covering(addr);
    const why = vma === null ? 'no VMA covers it' : this.mismatch(vma, addr, frame, flags);
    if (why !== null) this.report('pte-mismatch', cpu, `PTE at ${hex(addr)} installed but ${why}`);
    if (!fault || this.inFault[cpu] !== 1) return;
    const used = this.faultVma[cpu];
    if (used !== null && this.lastModOf(used) > this.guard[cpu]!) {
      this.report(
        'stale-vma',
        cpu,
        `fault installed the PTE at ${hex(addr)} from VMA [${hex(used.start)}, ${hex(used.end)}), which changed after the fault validated it`,
      );
    }
  }

  private mismatch(vma: Vma, addr: number, frame: number, flags: number): string | null {
    const vmf = vma.flags;
    const present = (flags & PTE_PRESENT) !== 0 && (flags & PTE_PROTNONE) === 0;
    if ((flags & PTE_RW) !== 0 && (vmf & VM_WRITE) === 0) return 'it is writable and the VMA lacks VM_WRITE';
    if (present && (flags & PTE_NX) === 0 && (vmf & VM_EXEC) === 0)
      return 'it is executable and the VMA lacks VM_EXEC';
    if (present && (vmf & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return 'the VMA allows no access';
    const env = this.host.env;
    if (env.mm.pkeysEnabled && (flags & PTE_PKEY_MASK) >> PTE_PKEY_SHIFT !== (vma.flagsHigh & 0xf)) {
      return 'its protection key differs from the VMA';
    }
    if (frame === ZERO_FRAME) {
      if ((vmf & VM_SHARED) !== 0) return 'it maps the zero page into a shared mapping';
      if ((flags & PTE_RW) !== 0) return 'it maps the zero page writable';
      return null;
    }
    const phys = env.phys;
    if ((phys.flags[frame]! & FRAME_ANON) !== 0) {
      if ((vmf & VM_SHARED) !== 0) return 'it maps an anonymous page into a shared mapping';
      return null;
    }
    if (vma.kind === 'anon') return 'it maps a file page into an anonymous VMA';
    if (vma.kind === 'file' && vma.file !== null) {
      const index = vma.pgoff + (addr - vma.start) / 4096;
      if (phys.fileId[frame] !== vma.file.id || phys.index[frame] !== index) {
        return phys.fileId[frame] !== vma.file.id
          ? `it maps a page of another file than ${vma.file.path}`
          : `it maps page ${phys.index[frame]} of ${vma.file.path}, the VMA maps page ${index} there`;
      }
    }
    return null;
  }

  /** The fault of `cpu` ended with `result`. */
  faultEnd(cpu: number, result: FaultResult): void {
    this.inFault[cpu] = 0;
    this.copyPending[cpu] = 0;
    this.faultVma[cpu] = null;
    if (result.outcome !== 'sigsegv' || result.code !== SEGV_MAPERR) return;
    if (this.missedMapped[cpu] === 1) {
      this.report(
        'spurious-sigsegv',
        cpu,
        `SIGSEGV (SEGV_MAPERR) at ${hex(result.addr)} trusted a lockless walk that missed the VMA mapping it`,
      );
      return;
    }
    const v = this.covering(result.addr);
    if (v !== null && !v.detached && this.lastModOf(v) <= this.startMod[cpu]!) {
      this.report(
        'spurious-sigsegv',
        cpu,
        `SIGSEGV (SEGV_MAPERR) at ${hex(result.addr)}, covered by VMA [${hex(v.start)}, ${hex(v.end)}) throughout the fault`,
      );
    }
  }
}
