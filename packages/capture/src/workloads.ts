/**
 * The small C workloads shipped as source in `workloads/` (compiled at test or capture time into a
 * temporary directory, never committed as binaries). They exercise what a capture must record:
 * anonymous, zero-page, COW and file faults, and the memory system calls.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureError } from './errors.js';
import { runProgram } from './run.js';
import { requireCCompiler } from './stop-helper.js';

/** The folder of the workload sources (next to src/ and dist/). */
export function workloadsDir(): string {
  return fileURLToPath(new URL('../workloads/', import.meta.url));
}

/** Names of the workloads (file names without `.c`), sorted. */
export async function listWorkloads(): Promise<string[]> {
  const files = await readdir(workloadsDir());
  return files
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
}

/**
 * Compiles workload `name` into `outDir` with the system C compiler (-O2, -pthread) and returns
 * the executable's path. CaptureError 'no-compiler' without a compiler, 'bad-options' for an
 * unknown name.
 */
export async function compileWorkload(name: string, outDir: string, cc?: string): Promise<string> {
  const known = await listWorkloads();
  if (!known.includes(name)) {
    throw new CaptureError('bad-options', `unknown workload '${name}'; known: ${known.join(', ')}`);
  }
  const compiler = await requireCCompiler(cc);
  const out = join(outDir, name);
  const r = await runProgram(compiler, ['-O2', '-pthread', '-o', out, join(workloadsDir(), `${name}.c`)], {
    timeoutMs: 120_000,
  });
  if (r.error !== null || r.code !== 0) {
    throw new CaptureError(
      'no-compiler',
      `'${compiler}' failed to compile workload ${name}: ${(r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(0, 5).join(' | ')}`,
    );
  }
  return out;
}
