/**
 * Parser for erase2-sets.txt: the VMA-tree operation traces that the kernel's radix-tree test
 * harness replays in check_erase2_sets() (tools/testing/radix-tree/maple.c), with the gap searches
 * and post-replay assertions it runs on each result. The format is described in the folder's
 * README.txt; this parser is strict so that a damaged file fails loudly instead of replaying less.
 */
import { ParseError } from '@vmakit/core';
import { expectCount, fields, type LineRef, parseKeyValues, parseSafe, splitLines } from './tokens.js';

/** The three triplet kinds of check_erase2_testset(). */
export type Erase2OpKind = 'STORE' | 'SNULL' | 'ERASE';

/** One recorded tree operation on the inclusive range [first, last]. */
export interface Erase2Op {
  readonly step: 'op';
  readonly kind: Erase2OpKind;
  readonly first: number;
  readonly last: number;
  readonly line: number;
}

/** A gap search (mas_empty_area / mas_empty_area_rev) whose result the source asserts. */
export interface Erase2GapSearch {
  readonly step: 'gap';
  readonly kind: 'EMPTY_AREA' | 'EMPTY_AREA_REV';
  readonly min: number;
  readonly max: number;
  readonly size: number;
  /** mas.last must equal this. */
  readonly expectLast?: number;
  /** mas.index must equal this. */
  readonly expectIndex?: number;
  /** set28: ((mas.last + 1 - size - offset) & ~clearMask) must equal index. */
  readonly expectAligned?: { readonly index: number; readonly clearMask: number; readonly offset: number };
  readonly line: number;
}

/** A post-replay check kept as a '# ASSERT_*' note. */
export type Erase2Assertion =
  | {
      readonly step: 'assert';
      readonly kind: 'NO_ENTRY';
      readonly first: number;
      readonly last: number;
      readonly line: number;
    }
  | { readonly step: 'assert'; readonly kind: 'ENTRY_COUNT_MAX'; readonly max: number; readonly line: number }
  | {
      readonly step: 'assert';
      readonly kind: 'FIND';
      readonly from: number;
      readonly value: number;
      readonly line: number;
    }
  | { readonly step: 'assert'; readonly kind: 'PREV'; readonly value: number; readonly line: number }
  | { readonly step: 'assert'; readonly kind: 'LOAD_NULL'; readonly addr: number; readonly line: number }
  | {
      readonly step: 'assert';
      readonly kind: 'LOAD_DIFFERS';
      readonly a: number;
      readonly b: number;
      readonly line: number;
    };

/** set13's extra mtree_erase() after the replay ('# POST_ERASE' note; not a triplet). */
export interface Erase2PostErase {
  readonly step: 'post-erase';
  readonly addr: number;
  readonly line: number;
}

/** A gap search the source runs without asserting its result ('# EMPTY_AREA_REV ...' note). */
export interface Erase2UncheckedSearch {
  readonly step: 'unchecked-gap';
  readonly kind: 'EMPTY_AREA' | 'EMPTY_AREA_REV';
  readonly min: number;
  readonly max: number;
  readonly size: number;
  readonly line: number;
}

/** Everything a set does, in file order. */
export type Erase2Step =
  | Erase2Op
  | Erase2GapSearch
  | Erase2Assertion
  | Erase2PostErase
  | Erase2UncheckedSearch;

/** One `set NAME flags=...` block. */
export interface Erase2Set {
  readonly name: string;
  /** mt_init_flags in force (informational: it changes node layout, not contents). */
  readonly flags: 'ALLOC_RANGE' | '0';
  /** Line of the `set` header. */
  readonly line: number;
  readonly steps: readonly Erase2Step[];
  /** Triplets (STORE/SNULL/ERASE) in the set. */
  readonly triplets: number;
}

const OP_KINDS: readonly string[] = ['STORE', 'SNULL', 'ERASE'];
const GAP_KEYS = ['expect_last', 'expect_index', 'expect_aligned_index', 'align_clear_mask', 'align_offset'];
const TRIPLET_NOTE = /^#\s*(\d+)\s+triplets\s*$/;

function parseGap(at: LineRef, f: readonly string[]): Erase2GapSearch {
  const kind = f[0] as 'EMPTY_AREA' | 'EMPTY_AREA_REV';
  if (f.length < 5) {
    throw new ParseError(
      at.file,
      at.line,
      `expected '${kind} min max size key=value...' with at least one expectation`,
    );
  }
  const min = parseSafe(at, f[1], 'min');
  const max = parseSafe(at, f[2], 'max');
  const size = parseSafe(at, f[3], 'size');
  const kv = parseKeyValues(at, f.slice(4), GAP_KEYS);
  const num = (k: string): number | undefined => (kv.has(k) ? parseSafe(at, kv.get(k), k) : undefined);
  const expectLast = num('expect_last');
  const expectIndex = num('expect_index');
  const alignedIndex = num('expect_aligned_index');
  const clearMask = num('align_clear_mask');
  const offset = num('align_offset');
  const alignedParts = [alignedIndex, clearMask, offset].filter((x) => x !== undefined).length;
  if (alignedParts !== 0 && alignedParts !== 3) {
    throw new ParseError(
      at.file,
      at.line,
      'expect_aligned_index, align_clear_mask and align_offset must be given together',
    );
  }
  return {
    step: 'gap',
    kind,
    min,
    max,
    size,
    line: at.line,
    ...(expectLast !== undefined ? { expectLast } : {}),
    ...(expectIndex !== undefined ? { expectIndex } : {}),
    ...(alignedIndex !== undefined
      ? { expectAligned: { index: alignedIndex, clearMask: clearMask!, offset: offset! } }
      : {}),
  };
}

/** Tokens of a note up to its parenthesised explanation. */
function noteArgs(f: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of f) {
    if (t.startsWith('(') || t === '--') break;
    out.push(t);
  }
  return out;
}

function kvNumber(at: LineRef, token: string | undefined, key: string): number {
  const prefix = `${key}=`;
  if (token === undefined || !token.startsWith(prefix)) {
    throw new ParseError(at.file, at.line, `expected ${prefix}N, got '${token ?? ''}'`);
  }
  return parseSafe(at, token.slice(prefix.length), key);
}

/** Parses a '# ...' line inside a set: a structured note, or null for free text. */
function parseNote(at: LineRef, text: string, sawFind: boolean): Erase2Step | number | null {
  const m = TRIPLET_NOTE.exec(text);
  if (m !== null) return parseSafe(at, m[1], 'triplet count');
  const f = fields(text.replace(/^#/, ''));
  const head = f[0] ?? '';
  const args = noteArgs(f.slice(1));
  if (head.startsWith('ASSERT_')) {
    switch (head) {
      case 'ASSERT_NO_ENTRY':
        expectCount(at, args, 2, 'ASSERT_NO_ENTRY first last');
        return {
          step: 'assert',
          kind: 'NO_ENTRY',
          first: parseSafe(at, args[0], 'first'),
          last: parseSafe(at, args[1], 'last'),
          line: at.line,
        };
      case 'ASSERT_ENTRY_COUNT_MAX':
        expectCount(at, args, 1, 'ASSERT_ENTRY_COUNT_MAX n');
        return { step: 'assert', kind: 'ENTRY_COUNT_MAX', max: parseSafe(at, args[0], 'n'), line: at.line };
      case 'ASSERT_FIND':
        expectCount(at, args, 2, 'ASSERT_FIND from=a value=v');
        return {
          step: 'assert',
          kind: 'FIND',
          from: kvNumber(at, args[0], 'from'),
          value: kvNumber(at, args[1], 'value'),
          line: at.line,
        };
      case 'ASSERT_PREV':
        expectCount(at, args, 1, 'ASSERT_PREV value=w');
        if (!sawFind) throw new ParseError(at.file, at.line, 'ASSERT_PREV must follow an ASSERT_FIND');
        return { step: 'assert', kind: 'PREV', value: kvNumber(at, args[0], 'value'), line: at.line };
      case 'ASSERT_LOAD_NULL':
        expectCount(at, args, 1, 'ASSERT_LOAD_NULL addr');
        return { step: 'assert', kind: 'LOAD_NULL', addr: parseSafe(at, args[0], 'addr'), line: at.line };
      case 'ASSERT_LOAD_DIFFERS':
        expectCount(at, args, 2, 'ASSERT_LOAD_DIFFERS a b');
        return {
          step: 'assert',
          kind: 'LOAD_DIFFERS',
          a: parseSafe(at, args[0], 'a'),
          b: parseSafe(at, args[1], 'b'),
          line: at.line,
        };
      default:
        throw new ParseError(at.file, at.line, `unknown assertion note '${head}'`);
    }
  }
  if (head === 'POST_ERASE') {
    expectCount(at, args, 1, 'POST_ERASE addr');
    return { step: 'post-erase', addr: parseSafe(at, args[0], 'addr'), line: at.line };
  }
  if (head === 'EMPTY_AREA_REV' || head === 'EMPTY_AREA') {
    expectCount(at, args, 3, `${head} min max size`);
    return {
      step: 'unchecked-gap',
      kind: head,
      min: parseSafe(at, args[0], 'min'),
      max: parseSafe(at, args[1], 'max'),
      size: parseSafe(at, args[2], 'size'),
      line: at.line,
    };
  }
  return null;
}

interface OpenSet {
  name: string;
  flags: 'ALLOC_RANGE' | '0';
  line: number;
  steps: Erase2Step[];
  triplets: number;
  declared: { count: number; line: number } | null;
  sawFind: boolean;
}

/**
 * Parses the text of erase2-sets.txt into its sets, in replay order. Throws ParseError(file, line,
 * detail) on anything malformed: unknown keywords, bad numbers, inverted ranges, steps outside a
 * set, unterminated sets, duplicate names, or a '# N triplets' note that disagrees with the set.
 *
 * Complexity: O(lines).
 */
export function parseErase2Sets(text: string, file = 'erase2-sets.txt'): Erase2Set[] {
  const sets: Erase2Set[] = [];
  const names = new Set<string>();
  let open: OpenSet | null = null;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const at: LineRef = { file, line: i + 1 };
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      if (open === null) continue;
      const note = parseNote(at, raw, open.sawFind);
      if (typeof note === 'number') {
        if (open.declared !== null) throw new ParseError(file, at.line, 'triplet count declared twice');
        open.declared = { count: note, line: at.line };
      } else if (note !== null) {
        if (note.step === 'assert' && note.kind === 'FIND') open.sawFind = true;
        open.steps.push(note);
      }
      continue;
    }
    const f = fields(raw);
    const head = f[0]!;
    if (head === 'set') {
      if (open !== null)
        throw new ParseError(file, at.line, `set '${open.name}' (line ${open.line}) has no 'end'`);
      expectCount(at, f, 3, 'set NAME flags=ALLOC_RANGE|0');
      const name = f[1]!;
      if (names.has(name)) throw new ParseError(file, at.line, `set '${name}' appears twice`);
      const flags = f[2]!;
      if (flags !== 'flags=ALLOC_RANGE' && flags !== 'flags=0') {
        throw new ParseError(file, at.line, `expected flags=ALLOC_RANGE or flags=0, got '${flags}'`);
      }
      names.add(name);
      open = {
        name,
        flags: flags === 'flags=0' ? '0' : 'ALLOC_RANGE',
        line: at.line,
        steps: [],
        triplets: 0,
        declared: null,
        sawFind: false,
      };
      continue;
    }
    if (open === null) throw new ParseError(file, at.line, `'${head}' outside a set block`);
    if (head === 'end') {
      expectCount(at, f, 1, 'end');
      if (open.declared !== null && open.declared.count !== open.triplets) {
        throw new ParseError(
          file,
          at.line,
          `set '${open.name}' has ${open.triplets} triplets but line ${open.declared.line} declares ${open.declared.count}`,
        );
      }
      sets.push({
        name: open.name,
        flags: open.flags,
        line: open.line,
        steps: open.steps,
        triplets: open.triplets,
      });
      open = null;
      continue;
    }
    if (OP_KINDS.includes(head)) {
      expectCount(at, f, 3, `${head} first last`);
      const first = parseSafe(at, f[1], 'first');
      const last = parseSafe(at, f[2], 'last');
      if (last < first) throw new ParseError(file, at.line, `inverted range: last ${last} < first ${first}`);
      open.steps.push({ step: 'op', kind: head as Erase2OpKind, first, last, line: at.line });
      open.triplets++;
      continue;
    }
    if (head === 'EMPTY_AREA' || head === 'EMPTY_AREA_REV') {
      open.steps.push(parseGap(at, f));
      continue;
    }
    throw new ParseError(
      file,
      at.line,
      `unknown keyword '${head}' (expected STORE, SNULL, ERASE, EMPTY_AREA, EMPTY_AREA_REV or end)`,
    );
  }
  if (open !== null)
    throw new ParseError(file, lines.length, `set '${open.name}' (line ${open.line}) has no 'end'`);
  return sets;
}
