import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureDir } from '@vmakit/formats';
import { replayCapture } from '@vmakit/replay';
import { findRepoRoot } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { referencePlugin } from './helpers/gate.js';

const repo = findRepoRoot();
const fixtures = repo === null ? null : join(repo, 'fixtures', 'captures');
const present = fixtures !== null && existsSync(fixtures);

// The counts of fixtures/captures/README.md. A change means the fixture files changed: re-record
// them with the documented command and update the README and this table together.
const expected = {
  'mmap-touch': {
    faults: 156,
    by_name: { mmap: 6, mprotect: 3, munmap: 5, madvise: 1, mremap: 1, brk: 3, mlock: 1, munlock: 1 },
    vmas: { start: 28, end: 33 },
  },
  'arena-churn': {
    faults: 1049,
    by_name: { mmap: 24, mprotect: 129, brk: 2, munmap: 21, madvise: 4 },
    vmas: { start: 27, end: 40 },
  },
  'brk-heap': {
    faults: 551,
    by_name: { brk: 9, madvise: 30, mmap: 1, mremap: 3, munmap: 1 },
    vmas: { start: 27, end: 28 },
  },
} as const;

describe.skipIf(!present)('the committed fixture captures', () => {
  it('are exactly the documented ones and stay small', () => {
    const dirs = readdirSync(fixtures!).filter((n) => statSync(join(fixtures!, n)).isDirectory());
    expect(dirs.sort()).toEqual(Object.keys(expected).sort());
    let bytes = 0;
    for (const d of dirs)
      for (const f of readdirSync(join(fixtures!, d))) bytes += statSync(join(fixtures!, d, f)).size;
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: the replay reproduces end.maps and every syscall agrees with the kernel`, async () => {
      const dir = join(fixtures!, name);
      const cap = await readCaptureDir(dir);
      expect(cap.startMaps.entries).toHaveLength(want.vmas.start);
      expect(cap.endMaps?.entries).toHaveLength(want.vmas.end);
      expect(cap.startMaps.gate?.path).toBe('[vsyscall]');
      // Anonymized: every file path is a neutral name.
      for (const e of [...cap.startMaps.entries, ...cap.endMaps!.entries]) {
        if (e.path.startsWith('/')) expect(e.path).toMatch(/^\/opt\/app\/file\d+$/);
      }
      const r = await replayCapture(dir, { index: referencePlugin });
      expect(r.events.faults).toBe(want.faults);
      expect(r.syscalls.by_name).toEqual(want.by_name);
      expect(r.events.syscalls).toBe(Object.values(want.by_name).reduce((a, b) => a + b, 0));
      expect(r.events.unfinished).toBe(0);
      expect(r.events.unsupported).toBe(0);
      expect(r.syscalls.disagreements).toEqual([]);
      expect(r.final).not.toBeNull();
      expect(r.final!.page_mismatches).toBe(0);
      expect(r.final!.vma_mismatches).toBe(0);
      expect(r.final!.flag_mismatches).toBe(0);
    });
  }
});

it.skipIf(present)('skipped: fixtures/captures is not in this checkout', () => {});
