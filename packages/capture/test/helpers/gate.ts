/**
 * Whether end-to-end captures can run here: perf must actually record the fault tracepoint (tried
 * for real) and a C compiler must build the workloads. Otherwise the tests skip with the reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineIndexPlugin, type IndexPlugin } from '@vmakit/core';
import { createReferenceIndex } from '@vmakit/testkit';
import { findCCompiler, probePerf } from '../../src/index.js';

/** null when captures can run, else why not (the skip message). */
export async function captureSkipReason(): Promise<string | null> {
  const probe = await probePerf();
  if (!probe.ok) return `skipped: perf cannot record here (${probe.code}: ${probe.reason})`;
  if ((await findCCompiler()) === null)
    return 'skipped: no C compiler (cc, gcc or clang) to build the workloads';
  return null;
}

/** The reference (oracle) index as an index plug-in, for replays. */
export const referencePlugin: IndexPlugin = defineIndexPlugin({
  meta: { name: 'reference', version: '0', kind: 'index' },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (o) => createReferenceIndex(o),
});

/** A fresh temporary directory. */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `vmakit-${tag}-`));
}
