/**
 * The vector parsers on small synthetic files: malformed input gives ParseError(file, line,
 * detail), and the replayer counts what the file expects on tiny traces.
 */
import { ParseError } from '@vmakit/core';
import { describe, expect, it } from 'vitest';
import {
  createReferenceIndex,
  parseAllocRange,
  parseErase2Sets,
  replayAllocRange,
  replayErase2Sets,
  type VectorEntry,
} from '../src/index.js';

const reference = (o?: object) => createReferenceIndex<VectorEntry>(o);

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('no ParseError');
}

const GOOD = [
  '# header note',
  'set s1 flags=ALLOC_RANGE',
  '# 4 triplets',
  'STORE 4096 8191',
  'STORE 12288 20479',
  'STORE 24576 28671',
  'ERASE 4096 4096',
  'EMPTY_AREA_REV 0 20479 4096 expect_last=12287',
  '# ASSERT_LOAD_NULL 4096    (note)',
  '# ASSERT_FIND from=20480 value=24576',
  '# ASSERT_PREV value=12288',
  'end',
  '',
].join('\n');

describe('parseErase2Sets', () => {
  it('parses steps in file order, with notes and CRLF line ends', () => {
    const sets = parseErase2Sets(GOOD.replace(/\n/g, '\r\n'), 'x.txt');
    expect(sets).toHaveLength(1);
    expect(sets[0]!.triplets).toBe(4);
    expect(sets[0]!.steps.map((s) => s.step)).toEqual([
      'op',
      'op',
      'op',
      'op',
      'gap',
      'assert',
      'assert',
      'assert',
    ]);
    expect(sets[0]!.steps[4]).toMatchObject({
      kind: 'EMPTY_AREA_REV',
      min: 0,
      max: 20479,
      size: 4096,
      expectLast: 12287,
      line: 8,
    });
  });

  const cases: Array<[string, string, number, RegExp]> = [
    ['a missing field', 'set a flags=0\nSTORE 1\nend', 2, /STORE first last/],
    ['an inverted range', 'set a flags=0\nSTORE 10 5\nend', 2, /inverted/],
    ['a non-number', 'set a flags=0\nSTORE 0x10 20\nend', 2, /decimal/],
    ['a number beyond 2^53', 'set a flags=0\nSTORE 9007199254740993 9007199254740999\nend', 2, /2\^53/],
    ['an op outside a set', 'STORE 1 2', 1, /outside a set/],
    ['a set without end', 'set a flags=0\nSTORE 1 2\n', 3, /no 'end'/],
    ['a nested set', 'set a flags=0\nset b flags=0\nend', 2, /has no 'end'/],
    ['an unknown keyword', 'set a flags=0\nFOO 1 2\nend', 2, /unknown keyword 'FOO'/],
    ['bad flags', 'set a flags=MAGIC\nend', 1, /flags=/],
    ['a duplicate set name', 'set a flags=0\nend\nset a flags=0\nend', 3, /twice/],
    ['a wrong triplet count note', 'set a flags=0\n# 2 triplets\nSTORE 1 2\nend', 4, /declares 2/],
    [
      'a gap search without expectation',
      'set a flags=0\nEMPTY_AREA_REV 0 10 1\nend',
      2,
      /at least one expectation/,
    ],
    [
      'half an aligned expectation',
      'set a flags=0\nEMPTY_AREA_REV 0 10 1 expect_aligned_index=0\nend',
      2,
      /together/,
    ],
    [
      'an unknown key',
      'set a flags=0\nEMPTY_AREA 0 10 1 expect_first=3\nend',
      2,
      /unknown key 'expect_first'/,
    ],
    ['an unknown assertion', 'set a flags=0\n# ASSERT_BOGUS 1\nend', 2, /ASSERT_BOGUS/],
    [
      'ASSERT_PREV without ASSERT_FIND',
      'set a flags=0\n# ASSERT_PREV value=1\nend',
      2,
      /follow an ASSERT_FIND/,
    ],
    ['a malformed ASSERT_FIND', 'set a flags=0\n# ASSERT_FIND 1 2\nend', 2, /from=N/],
  ];
  for (const [what, text, line, detail] of cases) {
    it(`reports ${what} with file:line`, () => {
      const e = parseError(() => parseErase2Sets(text, 'bad.txt'));
      expect(e.file).toBe('bad.txt');
      expect(e.line).toBe(line);
      expect(e.detail).toMatch(detail);
      expect(e.message.startsWith(`bad.txt:${line}: `)).toBe(true);
    });
  }
});

describe('replayErase2Sets on synthetic traces', () => {
  it('checks gap expectations, assertions and ERASE tags', () => {
    const ok = replayErase2Sets(parseErase2Sets(GOOD), reference);
    expect([
      ok.ops,
      ok.mismatches,
      ok.gap_checks,
      ok.gap_mismatches,
      ok.assertions,
      ok.assertion_failures,
    ]).toEqual([4, 0, 1, 0, 3, 0]);
    const wrong = GOOD.replace('expect_last=12287', 'expect_last=12286')
      .replace('ASSERT_LOAD_NULL 4096', 'ASSERT_LOAD_NULL 12288')
      .replace('ERASE 4096 4096', 'ERASE 5000 5000');
    const bad = replayErase2Sets(parseErase2Sets(wrong, 'w.txt'), reference, { maxFailures: 10 });
    expect(bad.mismatches).toBe(1);
    expect(bad.gap_mismatches).toBe(1);
    expect(bad.assertion_failures).toBeGreaterThanOrEqual(1);
    expect(bad.ok).toBe(false);
    expect(bad.failures.join('\n')).toMatch(
      /s1 op #4 \(erase2-sets\.txt:7 ERASE 5000 5000\).*tag 5000 expected/,
    );
    expect(bad.failures.join('\n')).toMatch(/mas\.last 12287 != 12286/);
    expect(bad.failures.join('\n')).toMatch(/ASSERT_LOAD_NULL 12288/);
  });

  it('models ERASE as erasing the whole entry, not storing NULL on [first, last]', () => {
    const text = 'set a flags=0\nSTORE 4096 16383\nERASE 8192 8192\n# ASSERT_LOAD_NULL 4096\nend';
    // The entry is tagged 4096, so the harness's tag check fails, but the whole range is gone.
    const r = replayErase2Sets(parseErase2Sets(text), reference);
    expect(r.mismatches).toBe(1);
    expect(r.assertion_failures).toBe(0);
    expect(r.per_set[0]!.final_size).toBe(0);
  });

  it('rejects a bad validateEvery', () => {
    expect(() => replayErase2Sets([], reference, { validateEvery: 0 })).toThrow(/validateEvery/);
  });
});

const ALLOC_GOOD = [
  'RESERVED 1000 18446744073709551615',
  'RANGE 40960 49152 10 11',
  'RANGE 57344 61440 14 14',
  'HOLE_FWD 49152 57344 8192 12 14 2 12',
  'HOLE_REV 49152 57344 8192 0 14 2 12 13',
  'REQ_FWD 0 65536 4096 0 0 | 0 16 1 0',
  'REQ_REV 0 65536 8192 61440 0 | 0 16 2 15',
  'REQ_FWD 45056 45056 4096 0 -16 | 11 11 1 0',
  'POST_ERASE 10',
  'POST_REQ_REV 0 16 2 12 0',
].join('\n');

describe('parseAllocRange', () => {
  it('parses rows and replays them against the reference', () => {
    const v = parseAllocRange(ALLOC_GOOD, 'a.txt');
    expect(v.ranges).toEqual([
      { first: 10, last: 11, line: 2 },
      { first: 14, last: 14, line: 3 },
    ]);
    expect(v.forward.map((s) => s.kind)).toEqual(['hole', 'request', 'request']);
    expect(v.reverse.map((s) => s.kind)).toEqual(['hole', 'request', 'erase', 'request']);
    const r = replayAllocRange(v, reference);
    expect([r.alloc_checks, r.gap_mismatches, r.mismatches]).toEqual([6, 0, 0]);
    const wrong = replayAllocRange(
      parseAllocRange(ALLOC_GOOD.replace('0 16 2 12 0', '0 16 2 11 0')),
      reference,
    );
    expect(wrong.gap_mismatches).toBe(1);
    expect(wrong.failures[0]).toMatch(
      /check_alloc_rev_range \(alloc-range\.txt:10 POST_REQ_REV 0 16 2\): start 12 != 11/,
    );
  });

  const cases: Array<[string, string, number, RegExp]> = [
    [
      'a page column that disagrees with its raw value',
      'RESERVED 1 2\nRANGE 40960 49152 10 12',
      2,
      /last_page 12 disagrees/,
    ],
    ['a missing RESERVED row', 'RANGE 40960 49152 10 11', 1, /no RESERVED/],
    ['two RESERVED rows', 'RESERVED 1 2\nRESERVED 1 2', 2, /twice/],
    ['an unknown row', 'RESERVED 1 2\nHOLE 1 2', 2, /unknown row 'HOLE'/],
    ['a request without the separator', 'RESERVED 1 2\nREQ_FWD 0 4096 4096 0 0 x 0 1 1 0', 2, /'\|'/],
    ['a positive ret', 'RESERVED 1 2\nREQ_REV 0 4096 4096 0 5 | 0 1 1 0', 2, /negative errno/],
    [
      'a range after the searches',
      'RESERVED 1 2\nHOLE_FWD 0 8192 4096 0 2 1 0\nRANGE 0 4096 0 0',
      3,
      /after the searches/,
    ],
    ['a value beyond 64 bits', 'RESERVED 1 18446744073709551616', 1, /64 bits/],
  ];
  for (const [what, text, line, detail] of cases) {
    it(`reports ${what} with file:line`, () => {
      const e = parseError(() => parseAllocRange(text, 'bad.txt'));
      expect([e.file, e.line]).toEqual(['bad.txt', line]);
      expect(e.detail).toMatch(detail);
    });
  }
});
