import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '@vmakit/testkit';
import { describe, it } from 'vitest';
import { checkCaptureMatrix } from './core-matrix.js';

const repo = findRepoRoot();
const fixtures = repo === null ? null : join(repo, 'fixtures', 'captures');
const present = fixtures !== null && existsSync(fixtures);

// Counts from fixtures/captures/README.md.
const expected = {
  'mmap-touch': { faults: 156, syscalls: 21 },
  'arena-churn': { faults: 1049, syscalls: 180 },
  'brk-heap': { faults: 551, syscalls: 44 },
} as const;

describe.skipIf(!present)('the fixture captures through the fault core, every pairing', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: exact end.maps, every fault handled, strategies and indexes agree`, async () => {
      await checkCaptureMatrix(join(fixtures!, name), want);
    }, 120_000);
  }
});

it.skipIf(present)('skipped: fixtures/captures is not in this checkout', () => {});
