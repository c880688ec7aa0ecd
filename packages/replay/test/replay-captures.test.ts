import { join } from 'node:path';
import { defineIndexPlugin } from '@vmakit/core';
import { createReferenceIndex, findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { describe, expect, it } from 'vitest';
import { replayCapture } from '../src/index.js';

const traces = findSharedDir('traces');
const reference = defineIndexPlugin({
  meta: { name: 'reference', version: '0', kind: 'index' },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (o) => createReferenceIndex(o),
});

// The captures README gives the event counts; the kernel's end.maps is the oracle for the result.
const expected = {
  'py-sqlite': { faults: 3312, syscalls: 71, by_name: { brk: 69, mmap: 1, munmap: 1 } },
  'c-arenas': {
    faults: 7331,
    syscalls: 1016,
    by_name: { mmap: 8, mprotect: 966, brk: 2, munmap: 5, madvise: 35 },
  },
} as const;

describe.skipIf(traces === null)('replay of the real captures (syscalls only)', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: every syscall agrees with the kernel and the pages match end.maps`, async () => {
      const r = await replayCapture(join(traces!, name), { index: reference });
      expect(r.events.faults).toBe(want.faults);
      expect(r.events.syscalls).toBe(want.syscalls);
      expect(r.syscalls.by_name).toEqual(want.by_name);
      expect(r.syscalls.disagreements).toEqual([]);
      expect(r.events.unsupported).toBe(0);
      expect(r.final).not.toBeNull();
      expect(r.final!.page_mismatches).toBe(0);
      // The kernel's own VmFlags (end.smaps) for every VMA.
      expect(r.final!.flag_mismatches).toBe(0);
      expect(r.final!.actual_vmas).toBe(r.final!.expected_vmas);
    });
  }
});

it.skipIf(traces !== null)(sharedMissingMessage('traces'), () => {});
