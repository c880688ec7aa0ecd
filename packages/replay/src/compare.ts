/**
 * Compares the model's final address space with the kernel's `end.maps`: page by page (is each
 * 4 KiB page mapped, with which r/w/x) and line by line (the VMA boundaries, permissions, offsets and
 * names maps would print).
 */
import { PAGE_SIZE, type Vma } from '@vmakit/core';
import { type MapsEntry, type SmapsEntry, vmFlagsToMnemonics } from '@vmakit/formats';

/** The result of a comparison. */
export interface MapsComparison {
  readonly expected_vmas: number;
  readonly actual_vmas: number;
  /** 4 KiB pages whose mapped state or r/w/x permissions differ. */
  readonly page_mismatches: number;
  /** Lines present in one listing but not the other. */
  readonly vma_mismatches: number;
  readonly exact_match: boolean;
  /** The first differing lines, `-` expected only, `+` model only. */
  readonly diff: readonly string[];
}

function permsOf(e: MapsEntry): number {
  return (e.read ? 1 : 0) | (e.write ? 2 : 0) | (e.exec ? 4 : 0);
}

/** Pages over which two sorted, disjoint listings disagree. O(n + m). */
export function pageMismatches(expected: readonly MapsEntry[], actual: readonly MapsEntry[]): number {
  const points = new Set<number>();
  for (const e of expected) points.add(e.start).add(e.end);
  for (const e of actual) points.add(e.start).add(e.end);
  const sorted = [...points].sort((a, b) => a - b);
  let i = 0;
  let j = 0;
  let pages = 0;
  for (let k = 0; k + 1 < sorted.length; k++) {
    const lo = sorted[k]!;
    const hi = sorted[k + 1]!;
    while (i < expected.length && expected[i]!.end <= lo) i++;
    while (j < actual.length && actual[j]!.end <= lo) j++;
    const e = i < expected.length && expected[i]!.start <= lo ? permsOf(expected[i]!) : -1;
    const a = j < actual.length && actual[j]!.start <= lo ? permsOf(actual[j]!) : -1;
    if (e !== a) pages += (hi - lo) / PAGE_SIZE;
  }
  return pages;
}

/** Everything a maps line shows except its path. */
function headKey(e: MapsEntry): string {
  const perms = `${e.read ? 'r' : '-'}${e.write ? 'w' : '-'}${e.exec ? 'x' : '-'}${e.shared ? 's' : 'p'}`;
  return `${e.start.toString(16)}-${e.end.toString(16)} ${perms} ${e.offset.toString(16)}`;
}

/**
 * Files the trace mapped by descriptor have no known path (the trace has no open()), so such a
 * model line matches whatever path the kernel printed.
 */
function unknownPath(e: MapsEntry): boolean {
  return e.path.startsWith('fd:');
}

function lineKey(e: MapsEntry): string {
  return `${headKey(e)} ${unknownPath(e) ? '*' : e.path}`;
}

function lineMatches(expected: MapsEntry, actual: MapsEntry): boolean {
  if (headKey(expected) !== headKey(actual)) return false;
  return unknownPath(actual) || expected.path === actual.path;
}

/** Compare listings; keeps at most `maxDiff` differing lines. O((n + m) log(n + m)). */
export function compareMaps(
  expected: readonly MapsEntry[],
  actual: readonly MapsEntry[],
  maxDiff = 20,
): MapsComparison {
  const actualKeys = actual.map(lineKey);
  const used = new Array<boolean>(actual.length).fill(false);
  const byStart = new Map<number, number>();
  actual.forEach((a, idx) => {
    byStart.set(a.start, idx);
  });
  const diff: string[] = [];
  let missing = 0;
  for (const e of expected) {
    const idx = byStart.get(e.start);
    if (idx !== undefined && !used[idx] && lineMatches(e, actual[idx]!)) {
      used[idx] = true;
      continue;
    }
    missing++;
    if (diff.length < maxDiff) diff.push(`- ${lineKey(e)}`);
  }
  let extra = 0;
  actual.forEach((_, idx) => {
    if (used[idx]) return;
    extra++;
    if (diff.length < maxDiff) diff.push(`+ ${actualKeys[idx]}`);
  });
  const pages = pageMismatches(expected, actual);
  return {
    expected_vmas: expected.length,
    actual_vmas: actual.length,
    page_mismatches: pages,
    vma_mismatches: missing + extra,
    exact_match: pages === 0 && missing + extra === 0,
    diff,
  };
}

/**
 * VMAs whose vm_flags differ from the kernel's VmFlags in `smaps` (same range required; ranges that
 * differ are already counted as VMA mismatches). Returns the count and the first differing lines.
 * O(n + m).
 */
export function flagMismatches(
  expected: readonly SmapsEntry[],
  vmas: readonly Vma[],
  maxDiff = 20,
): { readonly count: number; readonly diff: readonly string[] } {
  const byStart = new Map<number, Vma>();
  for (const v of vmas) byStart.set(v.start, v);
  let count = 0;
  const diff: string[] = [];
  for (const e of expected) {
    const v = byStart.get(e.start);
    if (v === undefined || v.end !== e.end) continue;
    if (v.flags === e.flags && v.flagsHigh === e.flagsHigh) continue;
    count++;
    if (diff.length < maxDiff) {
      const model = vmFlagsToMnemonics(v.flags, v.flagsHigh).join(' ');
      diff.push(
        `${e.start.toString(16)}-${e.end.toString(16)} VmFlags kernel [${e.vmFlags.join(' ')}] model [${model}]`,
      );
    }
  }
  return { count, diff };
}
