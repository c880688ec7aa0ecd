import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ParseError } from '@vmakit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMaps,
  type MapsEntry,
  parseMaps,
  parseMapsText,
  parseSmapsText,
  parseTrace,
  parseTraceText,
} from '../src/index.js';
import { collect } from './helpers.js';

const SEED = 20260525;
const RUNS = 400;

/** Runs `fn`; anything thrown other than a ParseError fails the property. */
function onlyParseErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
  return true;
}

async function onlyParseErrorsAsync(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
  return true;
}

const VALID_LINES = [
  '5555c1352000-5555c1353000 r--p 00000000 fe:00 2146377                    /opt/app/file1',
  '7f6876c8f000-7f6876c92000 rw-p 00000000 00:00 0 ',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  'Size:                  4 kB',
  'THPeligible:           0',
  'VmFlags: rd mr mw me ',
  '        w_arenas 12293 [001]  3161.702987:          syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00801000, prot: 0x00000000, flags: 0x00020022, fd: 0xffffffff, off: 0x00000000',
  '        w_arenas 12293 [001]  3161.703022:           syscalls:sys_exit_mmap: 0x7f687648e000',
  '         python3 12248 [001]  3158.209596:       exceptions:page_fault_user: address=0x7f940f68f8f0 ip=0x7f940f68f8f0 error_code=0x14',
  '             :-1    -1 [000]     0.000000: PERF_RECORD_LOST lost 42',
];

/** Characters that matter to the grammars, so mutations hit interesting cases often. */
const ALPHABET = '0123456789abcdefxX:-[]/ ,=.\tkB#?rwxsp\u0000\u00ff\u{1f600}';

const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), ch: fc.constantFrom(...ALPHABET) }),
  fc.record({ kind: fc.constant('del' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('ins' as const),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', maxLength: 6 }),
  }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(line: string, edits: readonly Edit[]): string {
  let s = line;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.kind === 'set') s = s.slice(0, at) + e.ch + s.slice(at + 1);
    else if (e.kind === 'del') s = s.slice(0, at) + s.slice(at + e.len);
    else s = s.slice(0, at) + e.text + s.slice(at);
  }
  return s;
}

const garbageLines = fc.array(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 120 })),
  {
    maxLength: 8,
  },
);
const mutatedLines = fc.array(
  fc
    .tuple(fc.constantFrom(...VALID_LINES), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([l, e]) => applyEdits(l, e)),
  { minLength: 1, maxLength: 6 },
);

describe('random input never crashes a parser (only ParseError)', () => {
  const parsers: Array<[string, (text: string) => unknown]> = [
    ['maps', (t) => parseMapsText(t, 'f')],
    ['smaps', (t) => parseSmapsText(t, 'f')],
    ['trace', (t) => parseTraceText(t, 'f')],
    [
      'trace (lenient)',
      (t) => parseTraceText(t, 'f', { allowUnknown: true, allowLost: true, allowUnorderedTime: true }),
    ],
  ];
  for (const [name, parse] of parsers) {
    it(`${name}: garbage lines`, () => {
      fc.assert(
        fc.property(garbageLines, fc.boolean(), (lines, newline) =>
          onlyParseErrors(() => parse(lines.join('\n') + (newline ? '\n' : ''))),
        ),
        { seed: SEED, numRuns: RUNS },
      );
    });
    it(`${name}: mutated valid lines`, () => {
      fc.assert(
        fc.property(mutatedLines, (lines) => onlyParseErrors(() => parse(`${lines.join('\n')}\n`))),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('streams of random bytes, with or without gzip magic or a .gz name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, magic, gzName, chunk) => {
          const data = magic ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
          const parts: Buffer[] = [];
          for (let i = 0; i < data.length; i += chunk) parts.push(data.subarray(i, i + chunk));
          const name = gzName ? 'f.gz' : 'f';
          await onlyParseErrorsAsync(() => parseMaps(Readable.from(parts), name));
          return onlyParseErrorsAsync(() => collect(parseTrace(Readable.from(parts), name)));
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('a gzip stream cut anywhere is always a ParseError', async () => {
    const text = `${VALID_LINES.slice(6, 9).join('\n')}\n`.repeat(20);
    const gz = gzipSync(Buffer.from(text));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: gz.length - 1 }), async (cut) => {
        let err: unknown = null;
        try {
          await collect(parseTrace(Readable.from([gz.subarray(0, cut)]), 't.gz'));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ParseError);
        return true;
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('maps round-trip property', () => {
  const entryList = fc
    .array(
      fc.record({
        gapPages: fc.integer({ min: 0, max: 1 << 20 }),
        pages: fc.integer({ min: 1, max: 1 << 16 }),
        perms: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()),
        offsetPages: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 })),
        major: fc.integer({ min: 0, max: 0xfff }),
        minor: fc.integer({ min: 0, max: 0xfffff }),
        inode: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        path: fc.oneof(
          fc.constant(''),
          fc.constantFrom('[heap]', '[stack]', '[vdso]', '/usr/lib/x.so (deleted)'),
          fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n') && !/^ *$/.test(s)),
        ),
      }),
      { maxLength: 30 },
    )
    .map((specs) => {
      let at = 0x10000;
      const out: MapsEntry[] = [];
      for (const s of specs) {
        const start = at + s.gapPages * 4096;
        const end = start + s.pages * 4096;
        if (end > 2 ** 47 - 4096) break;
        at = end;
        out.push({
          start,
          end,
          read: s.perms[0],
          write: s.perms[1],
          exec: s.perms[2],
          shared: s.perms[3],
          offset: s.offsetPages * 4096,
          dev: `${s.major.toString(16).padStart(2, '0')}:${s.minor.toString(16).padStart(2, '0')}`,
          inode: s.inode,
          path: s.path,
          line: out.length + 1,
        });
      }
      return out;
    });

  it('formatMaps then parseMapsText gives the entries back', () => {
    fc.assert(
      fc.property(entryList, (entries) => {
        const parsed = parseMapsText(formatMaps(entries), 'p');
        expect(parsed.entries).toEqual(entries);
        expect(parsed.gate).toBeNull();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
