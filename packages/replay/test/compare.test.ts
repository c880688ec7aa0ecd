import { parseMapsText } from '@vmakit/formats';
import { expect, it } from 'vitest';
import { compareMaps, pageMismatches } from '../src/index.js';

const maps = (lines: string[]) => parseMapsText(`${lines.join('\n')}\n`, 'x.maps').entries;

it('counts pages by mapped state and permissions, not by VMA boundaries', () => {
  const a = maps(['00400000-00404000 rw-p 00000000 00:00 0 ']);
  const b = maps(['00400000-00402000 rw-p 00000000 00:00 0 ', '00402000-00404000 rw-p 00000000 00:00 0 ']);
  expect(pageMismatches(a, b)).toBe(0);
  const c = maps(['00400000-00402000 rw-p 00000000 00:00 0 ', '00402000-00403000 r--p 00000000 00:00 0 ']);
  // page 0x402000 differs in permission, page 0x403000 is unmapped in c.
  expect(pageMismatches(a, c)).toBe(2);
  const r = compareMaps(a, b);
  expect(r).toMatchObject({ page_mismatches: 0, vma_mismatches: 3, exact_match: false });
});

it('matches identical listings exactly', () => {
  const a = maps([
    '00400000-00404000 r-xp 00001000 fe:00 12 /bin/x',
    '00600000-00601000 rw-p 00000000 00:00 0 [heap]',
  ]);
  expect(compareMaps(a, a)).toMatchObject({
    page_mismatches: 0,
    vma_mismatches: 0,
    exact_match: true,
    diff: [],
  });
});

it('matches a file mapped by descriptor against any path, spaces included', () => {
  const kernel = maps(['00400000-00401000 rw-s 00000000 fe:00 12 /opt/app/file5 (deleted)']);
  const model = [{ ...kernel[0]!, path: 'fd:3', dev: '00:00', inode: 0 }];
  expect(compareMaps(kernel, model)).toMatchObject({ vma_mismatches: 0, exact_match: true });
  const other = [{ ...kernel[0]!, path: '/opt/app/file6' }];
  expect(compareMaps(kernel, other).vma_mismatches).toBe(2);
});
