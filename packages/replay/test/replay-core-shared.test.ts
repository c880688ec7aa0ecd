import { join } from 'node:path';
import { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { checkCaptureMatrix } from './core-matrix.js';

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('the shared captures through the fault core, every pairing', () => {
  it('py-sqlite: exact end.maps, every fault handled, strategies and indexes agree', async () => {
    const cells = await checkCaptureMatrix(join(traces!, 'py-sqlite'), { faults: 3312, syscalls: 71 });
    // One thread: speculation is skipped (mm_users 1), so nothing is copied.
    for (const c of cells) {
      if (c.report !== null) expect(c.report.fault_handling).toMatchObject({ mm_users: 1, bytes_copied: 0 });
    }
  }, 120_000);

  it('c-arenas: exact end.maps, every fault handled, strategies and indexes agree', async () => {
    const cells = await checkCaptureMatrix(join(traces!, 'c-arenas'), { faults: 7331, syscalls: 1016 });
    // Four threads: each speculative fault copies the VMA once (whole: the era's size; attributes: 88 B).
    const bytes = Object.fromEntries(
      cells
        .filter((c) => c.report !== null && c.index === 'maple')
        .map((c) => [
          c.strategy,
          (c.report!.fault_handling as { bytes_copied_per_fault: number }).bytes_copied_per_fault,
        ]),
    );
    expect(bytes['mmap-lock']).toBe(0);
    expect(bytes['per-vma-lock']).toBe(0);
    expect(bytes['spf-copy-vma']).toBeGreaterThan(0);
    expect(bytes['spf-copy-attrs']! / bytes['spf-copy-vma']!).toBeCloseTo(88 / 160, 5);
  }, 120_000);
});

it.skipIf(traces !== null)(sharedMissingMessage('traces'), () => {});
