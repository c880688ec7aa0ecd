// Re-records the small fixture captures of fixtures/captures/ (see its README).
// Needs root (or the permissions of packages/capture/README.md), perf and a C compiler.
// Run from the repository root after building: pnpm build && node packages/capture/scripts/record-fixtures.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { captureCommand, compileWorkload } from '../dist/index.js';

/** The fixtures: folder name, workload, arguments. */
export const FIXTURES = [
  { name: 'mmap-touch', workload: 'mmap-touch', args: [] },
  { name: 'arena-churn', workload: 'arena-churn', args: ['3', '400'] },
  { name: 'brk-heap', workload: 'brk-heap', args: ['600'] },
];

const root = resolve(process.argv[2] ?? 'fixtures/captures');
const only = process.argv.slice(3);
const work = mkdtempSync(join(tmpdir(), 'vmakit-fixtures-'));
try {
  for (const f of FIXTURES) {
    if (only.length > 0 && !only.includes(f.name)) continue;
    const exe = await compileWorkload(f.workload, work);
    const s = await captureCommand([exe, ...f.args], {
      out: join(root, f.name),
      force: true,
      anonymize: true,
      gzip: 'auto',
      gzipAboveBytes: 200 * 1024,
      stdio: 'inherit',
    });
    const { tracepoints, ...rest } = s;
    console.log(
      JSON.stringify({ fixture: f.name, args: f.args, ...rest, tracepointsUsed: tracepoints.used.length }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
