/**
 * The correctness check run before any timing: every structure must give, for the very query
 * arrays it will be timed on, the answers of the reference index (the testkit's oracle), and its
 * compiled benchmark loop must produce the oracle's checksum. A benchmark of a wrong index is
 * worthless, so a mismatch throws BenchVerificationError and the run stops.
 */
import { PAGE_SIZE, type VmaIndex, VmakitError } from '@vmakit/core';
import { createReferenceIndex, type ReferenceIndex } from '@vmakit/testkit';
import type { RangeTriple } from './baselines.js';
import type { BenchVma } from './entry.js';
import type { BenchLayout } from './layouts.js';
import { type CompiledLoop, compileLoop, type IndexBenchOp, OP_SPECS } from './ops.js';
import type { QuerySet } from './queries.js';
import { contentsOf, type Subject } from './subjects.js';

/** A structure answered differently from the reference index. */
export class BenchVerificationError extends VmakitError {
  override readonly name = 'BenchVerificationError';
  constructor(
    /** The structure that failed. */
    readonly subject: string,
    readonly layout: string,
    readonly op: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`benchmark correctness check failed: '${subject}' on ${layout}, ${op}: ${detail}`, options);
  }
}

/** The oracle loaded with a layout (ascending inserts in one update: O(n) copies in total). */
export function buildOracle(layout: BenchLayout): ReferenceIndex<BenchVma> {
  const ref = createReferenceIndex<BenchVma>();
  ref.beginUpdate();
  for (let i = 0; i < layout.vmas; i++) ref.insert(layout.starts[i]!, layout.ends[i]!, layout.entries[i]!);
  ref.publish();
  return ref;
}

/** Number of inputs an op's loop runs over in one full pass. */
export function inputLength(op: IndexBenchOp, q: QuerySet): number {
  const input = OP_SPECS[op].input;
  return input === null ? 1 : q[input].length;
}

/**
 * The checksum a correct structure's loop returns over one full pass: the oracle run through the
 * index loop for read-only ops, the closed form for updates (each update is undone in the same
 * step, so sizes and addresses are known). O(pass).
 */
export function expectedChecksum(
  op: IndexBenchOp,
  oracle: ReferenceIndex<BenchVma>,
  q: QuerySet,
  layout: BenchLayout,
): number {
  const len = inputLength(op, q);
  switch (op) {
    case 'churn-insert-remove':
      return (layout.vmas + 1) * len;
    case 'churn-mprotect':
      return (layout.vmas + 2) * len;
    case 'churn-mmap': {
      let acc = 0;
      for (let i = 0; i < len; i++) acc += q.gapAnswers[i]! / PAGE_SIZE;
      return acc;
    }
    default:
      return compileLoop(OP_SPECS[op].loops.index!)(oracle, q, 0, len);
  }
}

function hex(v: number): string {
  return `0x${v.toString(16)}`;
}

function describe(e: BenchVma | null | undefined): string {
  return e === null || e === undefined ? 'nothing' : `VMA #${e.id} [${hex(e.start)}, ${hex(e.end)})`;
}

function sameTriples(a: readonly RangeTriple[], b: readonly RangeTriple[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) {
      const show = (t: RangeTriple | undefined): string =>
        t === undefined ? 'nothing' : `[${hex(t[0])}, ${hex(t[1])}) → #${t[2].id}`;
      return `range ${i}: expected ${show(y)}, got ${show(x)} (${b.length} ranges expected, ${a.length} got)`;
    }
  }
  return null;
}

function layoutTriples(layout: BenchLayout): RangeTriple[] {
  const out: RangeTriple[] = [];
  for (let i = 0; i < layout.vmas; i++) out.push([layout.starts[i]!, layout.ends[i]!, layout.entries[i]!]);
  return out;
}

/** Inputs of one check. */
export interface VerifyInput {
  readonly subject: Subject;
  /** The structure built by `subject.build(layout)`. */
  readonly target: unknown;
  readonly layout: BenchLayout;
  readonly queries: QuerySet;
  readonly op: IndexBenchOp;
  readonly oracle: ReferenceIndex<BenchVma>;
  /** The subject's compiled loop for the op (the very function that will be timed). */
  readonly loop: CompiledLoop;
  /** From expectedChecksum(). */
  readonly expected: number;
}

/** Checks that a freshly built structure holds exactly the layout. O(n). */
export function verifyContents(subject: Subject, target: unknown, layout: BenchLayout, when: string): void {
  const bad = sameTriples(contentsOf(subject, target), layoutTriples(layout));
  if (bad !== null)
    throw new BenchVerificationError(subject.name, layout.name, when, `contents differ: ${bad}`);
  if (subject.reader.size(target) !== layout.vmas) {
    throw new BenchVerificationError(
      subject.name,
      layout.name,
      when,
      `size is ${subject.reader.size(target)}, expected ${layout.vmas}`,
    );
  }
}

/**
 * Runs the op once over all of its inputs with explicit per-answer comparisons against the oracle,
 * then runs the compiled loop over all inputs and compares its checksum, then (for updates) checks
 * that the contents came back and, for indexes, that validate() passes. Throws
 * BenchVerificationError on the first difference. O(pass · (oracle + subject cost)).
 */
export function verifyOp(input: VerifyInput): void {
  const { subject, target, layout, queries: q, op, oracle, loop, expected } = input;
  const fail = (detail: string, cause?: unknown): never => {
    throw new BenchVerificationError(
      subject.name,
      layout.name,
      op,
      detail,
      cause === undefined ? {} : { cause },
    );
  };
  const reader = subject.reader;
  const index = subject.kind === 'index' ? (target as VmaIndex<BenchVma>) : null;
  try {
    switch (op) {
      case 'find-random':
      case 'find-seq':
      case 'find-seq-cached':
      case 'lookup-random': {
        const arr = op === 'find-random' || op === 'lookup-random' ? q.random : q.sequential;
        const isLookup = op === 'lookup-random';
        const cached = op === 'find-seq-cached' && index !== null;
        for (let i = 0; i < arr.length; i++) {
          const a = arr[i]!;
          const got = isLookup
            ? reader.lookup(target, a)
            : cached
              ? index.find(a, 0)
              : reader.find(target, a);
          const want = isLookup ? oracle.lookup(a) : oracle.find(a);
          if (got !== want) {
            fail(
              `query ${i}: ${isLookup ? 'lookup' : 'find'}(${hex(a)}) returned ${describe(got)}, expected ${describe(want)}`,
            );
          }
        }
        break;
      }
      case 'iterate-all':
        verifyContents(subject, target, layout, op);
        break;
      case 'iterate-range':
        for (let i = 0; i < q.windowFrom.length; i++) {
          const from = q.windowFrom[i]!;
          const to = q.windowTo[i]!;
          const want: RangeTriple[] = [];
          oracle.forEach(from, to, (s, e, v) => {
            want.push([s, e, v]);
            return undefined;
          });
          const bad = sameTriples(reader.range(target, from, to), want);
          if (bad !== null) fail(`window ${i} [${hex(from)}, ${hex(to)}): ${bad}`);
        }
        break;
      case 'gap-topdown':
      case 'churn-mmap':
        for (let i = 0; i < q.gapReqs.length; i++) {
          const req = q.gapReqs[i]!;
          const got = index!.unmappedArea(req);
          if (got !== q.gapAnswers[i]) {
            fail(
              `request ${i} (length ${hex(req.length)}, highLimit ${hex(req.highLimit)}, alignMask ${hex(req.alignMask ?? 0)}): unmappedArea returned ${got < 0 ? got : hex(got)}, expected ${hex(q.gapAnswers[i]!)}`,
            );
          }
        }
        break;
      case 'churn-insert-remove':
        if (index !== null) {
          for (let i = 0; i < q.gapAnswers.length; i++) {
            const s = q.gapAnswers[i]!;
            const x = s + q.churnLen[i]!;
            const e = q.churnEntry[i]!;
            index.insert(s, x, e);
            if (index.lookup(s) !== e || index.lookup(x - 1) !== e || index.size !== layout.vmas + 1) {
              fail(
                `slot ${i}: after insert [${hex(s)}, ${hex(x)}) lookup gives ${describe(index.lookup(s))}, size ${index.size}`,
              );
            }
            index.remove(s, x, e);
            if (index.lookup(s) !== null || index.size !== layout.vmas) {
              fail(
                `slot ${i}: after remove lookup(${hex(s)}) gives ${describe(index.lookup(s))}, size ${index.size}`,
              );
            }
          }
        }
        break;
      case 'churn-mprotect':
        for (let i = 0; i < q.mprMid.length; i++) {
          const s = q.mprStart[i]!;
          const e = q.mprEnd[i]!;
          const mid = q.mprMid[i]!;
          const vma = q.mprEntry[i]!;
          const piece = q.mprPiece[i]!;
          index!.store(mid, mid + PAGE_SIZE, piece);
          const pieces = [
            index!.lookup(s),
            index!.lookup(mid - 1),
            index!.lookup(mid),
            index!.lookup(mid + PAGE_SIZE),
          ];
          const want = [vma, vma, piece, mid + PAGE_SIZE < e ? vma : oracle.lookup(mid + PAGE_SIZE)];
          if (pieces.some((p, k) => p !== want[k]) || index!.size !== layout.vmas + 2) {
            fail(
              `slot ${i}: after splitting [${hex(mid)}, ${hex(mid + PAGE_SIZE)}) out of [${hex(s)}, ${hex(e)}): got ${pieces.map(describe).join(', ')}, size ${index!.size}`,
            );
          }
          index!.store(s, e, vma);
          if (index!.lookup(mid) !== vma || index!.lookup(e - 1) !== vma || index!.size !== layout.vmas) {
            fail(
              `slot ${i}: after re-merging [${hex(s)}, ${hex(e)}): lookup(${hex(mid)}) gives ${describe(index!.lookup(mid))}, size ${index!.size}`,
            );
          }
        }
        break;
    }
    const got = loop(target, q, 0, inputLength(op, q));
    if (got !== expected)
      fail(`the benchmark loop's checksum is ${got}, the reference index gives ${expected}`);
    if (OP_SPECS[op].updates) {
      verifyContents(subject, target, layout, `${op} (contents after one pass)`);
      index?.validate();
    }
  } catch (err) {
    if (err instanceof BenchVerificationError) throw err;
    fail(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, err);
  }
}
