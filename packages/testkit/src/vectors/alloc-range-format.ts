/**
 * Parser for alloc-range.txt: the /proc/self/maps-derived layout, hole searches and allocation
 * requests of check_alloc_range() and check_alloc_rev_range() in lib/test_maple_tree.c. The tree is
 * indexed by page number; every raw byte column is cross-checked against its page column (raw >> 12)
 * so that a damaged row is reported rather than replayed with the wrong numbers.
 */
import { ParseError } from '@vmakit/core';
import { expectCount, fields, type LineRef, parseSafe, parseSigned, parseU64, splitLines } from './tokens.js';

/** Search direction: forward is mas_empty_area / mtree_alloc_range, reverse the _rev/rrange pair. */
export type AllocDirection = 'fwd' | 'rev';

/** The reserved entry over [first, last] stored before the ranges (MTREE_ALLOC_MAX .. ULONG_MAX). */
export interface AllocReserved {
  readonly first: number;
  /** Inclusive last page; may exceed 2^53 (ULONG_MAX), hence a bigint. */
  readonly last: bigint;
  readonly line: number;
}

/** One stored range, inclusive page numbers. */
export interface AllocRange {
  readonly first: number;
  readonly last: number;
  readonly line: number;
}

/** A read-only hole search with its expected placement. */
export interface AllocHole {
  readonly kind: 'hole';
  readonly dir: AllocDirection;
  readonly min: number;
  readonly max: number;
  readonly size: number;
  readonly expectIndex: number;
  /** Reverse searches also assert the block's last page. */
  readonly expectLast?: number;
  readonly line: number;
}

/** An allocation request: search, and on success insert [index, index + size - 1]. */
export interface AllocRequest {
  readonly kind: 'request';
  readonly dir: AllocDirection;
  readonly min: number;
  readonly max: number;
  readonly size: number;
  /** Checked only when ret is 0. */
  readonly expectIndex: number;
  /** 0 for success, else the expected -errno. */
  readonly ret: number;
  /** True for the POST_REQ_REV row that follows the POST_ERASE rows. */
  readonly post: boolean;
  readonly line: number;
}

/** mtree_erase() of the whole entry containing `index`. */
export interface AllocErase {
  readonly kind: 'erase';
  readonly index: number;
  readonly line: number;
}

/** A step of one of the two test functions. */
export type AllocStep = AllocHole | AllocRequest | AllocErase;

/** The whole file. Both functions start from an empty tree, store `reserved` and `ranges`, then run their steps. */
export interface AllocRangeVectors {
  readonly reserved: AllocReserved;
  readonly ranges: readonly AllocRange[];
  /** check_alloc_range(): HOLE_FWD then REQ_FWD rows. */
  readonly forward: readonly AllocStep[];
  /** check_alloc_rev_range(): HOLE_REV, REQ_REV, POST_ERASE and POST_REQ_REV rows. */
  readonly reverse: readonly AllocStep[];
}

const shift = (raw: bigint): bigint => raw >> 12n;

function agree(at: LineRef, what: string, page: number, expected: bigint): void {
  if (BigInt(page) !== expected) {
    throw new ParseError(
      at.file,
      at.line,
      `${what} ${page} disagrees with its raw column (expected ${expected})`,
    );
  }
}

function parseRequest(at: LineRef, f: readonly string[], dir: AllocDirection): AllocRequest {
  const head = f[0]!;
  expectCount(at, f, 11, `${head} raw_min raw_max raw_size raw_expected ret | min max size expect_index`);
  if (f[6] !== '|') throw new ParseError(at.file, at.line, `expected '|' as the 6th field, got '${f[6]}'`);
  const rawMin = parseU64(at, f[1], 'raw_min');
  const rawMax = parseU64(at, f[2], 'raw_max');
  const rawSize = parseU64(at, f[3], 'raw_size');
  const rawExpected = parseU64(at, f[4], 'raw_expected');
  const ret = parseSigned(at, f[5], 'ret');
  if (ret > 0) throw new ParseError(at.file, at.line, `ret must be 0 or a negative errno, got ${ret}`);
  const min = parseSafe(at, f[7], 'min');
  const max = parseSafe(at, f[8], 'max');
  const size = parseSafe(at, f[9], 'size');
  const expectIndex = parseSafe(at, f[10], 'expect_index');
  agree(at, 'min', min, shift(rawMin));
  agree(at, 'max', max, shift(rawMax));
  agree(at, 'size', size, shift(rawSize));
  if (ret === 0) agree(at, 'expect_index', expectIndex, shift(rawExpected));
  return { kind: 'request', dir, min, max, size, expectIndex, ret, post: false, line: at.line };
}

/**
 * Parses the text of alloc-range.txt. Throws ParseError(file, line, detail) for unknown rows, bad
 * numbers, a page column that disagrees with its raw byte column, a missing or repeated RESERVED
 * row, or rows in an impossible order (ranges after searches).
 *
 * Complexity: O(lines).
 */
export function parseAllocRange(text: string, file = 'alloc-range.txt'): AllocRangeVectors {
  let reserved: AllocReserved | null = null;
  const ranges: AllocRange[] = [];
  const forward: AllocStep[] = [];
  const reverse: AllocStep[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const at: LineRef = { file, line: i + 1 };
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const f = fields(raw);
    const head = f[0]!;
    const searching = forward.length > 0 || reverse.length > 0;
    switch (head) {
      case 'RESERVED': {
        expectCount(at, f, 3, 'RESERVED first last');
        if (reserved !== null)
          throw new ParseError(file, at.line, `RESERVED given twice (first at line ${reserved.line})`);
        const first = parseSafe(at, f[1], 'first');
        const last = parseU64(at, f[2], 'last');
        if (last < BigInt(first)) throw new ParseError(file, at.line, 'inverted RESERVED range');
        reserved = { first, last, line: at.line };
        break;
      }
      case 'RANGE': {
        expectCount(at, f, 5, 'RANGE raw_start raw_end first_page last_page');
        if (searching) throw new ParseError(file, at.line, 'RANGE after the searches began');
        const rawStart = parseU64(at, f[1], 'raw_start');
        const rawEnd = parseU64(at, f[2], 'raw_end');
        const first = parseSafe(at, f[3], 'first_page');
        const last = parseSafe(at, f[4], 'last_page');
        agree(at, 'first_page', first, shift(rawStart));
        agree(at, 'last_page', last, shift(rawEnd) - 1n);
        if (last < first) throw new ParseError(file, at.line, `inverted range [${first}, ${last}]`);
        ranges.push({ first, last, line: at.line });
        break;
      }
      case 'HOLE_FWD': {
        expectCount(at, f, 8, 'HOLE_FWD raw_hole_start raw_hole_end raw_size min max size expect_index');
        const rawStart = parseU64(at, f[1], 'raw_hole_start');
        const rawEnd = parseU64(at, f[2], 'raw_hole_end');
        const rawSize = parseU64(at, f[3], 'raw_size');
        const min = parseSafe(at, f[4], 'min');
        const max = parseSafe(at, f[5], 'max');
        const size = parseSafe(at, f[6], 'size');
        const expectIndex = parseSafe(at, f[7], 'expect_index');
        agree(at, 'max', max, shift(rawEnd));
        agree(at, 'size', size, shift(rawSize));
        agree(at, 'expect_index', expectIndex, shift(rawStart));
        forward.push({ kind: 'hole', dir: 'fwd', min, max, size, expectIndex, line: at.line });
        break;
      }
      case 'HOLE_REV': {
        expectCount(
          at,
          f,
          9,
          'HOLE_REV raw_hole_start raw_hole_end raw_size min max size expect_index expect_last',
        );
        const rawEnd = parseU64(at, f[2], 'raw_hole_end');
        const rawSize = parseU64(at, f[3], 'raw_size');
        parseU64(at, f[1], 'raw_hole_start');
        const min = parseSafe(at, f[4], 'min');
        const max = parseSafe(at, f[5], 'max');
        const size = parseSafe(at, f[6], 'size');
        const expectIndex = parseSafe(at, f[7], 'expect_index');
        const expectLast = parseSafe(at, f[8], 'expect_last');
        agree(at, 'max', max, shift(rawEnd));
        agree(at, 'size', size, shift(rawSize));
        // The source asserts mas.last + 1 == hole end and mas.index == hole end - size.
        agree(at, 'expect_last', expectLast, shift(rawEnd) - 1n);
        agree(at, 'expect_index', expectIndex, shift(rawEnd) - BigInt(size));
        reverse.push({ kind: 'hole', dir: 'rev', min, max, size, expectIndex, expectLast, line: at.line });
        break;
      }
      case 'REQ_FWD':
        forward.push(parseRequest(at, f, 'fwd'));
        break;
      case 'REQ_REV':
        reverse.push(parseRequest(at, f, 'rev'));
        break;
      case 'POST_ERASE':
        expectCount(at, f, 2, 'POST_ERASE index');
        reverse.push({ kind: 'erase', index: parseSafe(at, f[1], 'index'), line: at.line });
        break;
      case 'POST_REQ_REV': {
        expectCount(at, f, 6, 'POST_REQ_REV min max size expect_index ret');
        const ret = parseSigned(at, f[5], 'ret');
        if (ret > 0) throw new ParseError(file, at.line, `ret must be 0 or a negative errno, got ${ret}`);
        reverse.push({
          kind: 'request',
          dir: 'rev',
          min: parseSafe(at, f[1], 'min'),
          max: parseSafe(at, f[2], 'max'),
          size: parseSafe(at, f[3], 'size'),
          expectIndex: parseSafe(at, f[4], 'expect_index'),
          ret,
          post: true,
          line: at.line,
        });
        break;
      }
      default:
        throw new ParseError(
          file,
          at.line,
          `unknown row '${head}' (expected RESERVED, RANGE, HOLE_FWD, HOLE_REV, REQ_FWD, REQ_REV, POST_ERASE or POST_REQ_REV)`,
        );
    }
  }
  if (reserved === null) throw new ParseError(file, lines.length, 'no RESERVED row');
  return { reserved, ranges, forward, reverse };
}
