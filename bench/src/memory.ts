/**
 * Heap bytes per VMA of each structure at a given layout size, each measured in a fresh child
 * process (`node --expose-gc`) so that one structure's garbage, code and heap growth cannot leak
 * into another's number. What the child counts is documented in memory-child.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryChildRequest, MemoryChildResult } from './memory-child.js';
import type { Subject } from './subjects.js';

/** Where to import an index plug-in from inside the child (which cannot receive objects). */
export interface PluginModule {
  /** Module specifier, resolved from bench/dist (a package name or a file URL). */
  readonly module: string;
  /** Export holding the IndexPlugin, or a zero-argument factory returning an empty index. */
  readonly export: string;
}

/** The plug-ins vmakit ships, by registered name. */
export const BUILTIN_PLUGIN_MODULES: Readonly<Record<string, PluginModule>> = {
  rbtree: { module: '@vmakit/index-rbtree', export: 'rbtreePlugin' },
  maple: { module: '@vmakit/index-maple', export: 'maplePlugin' },
  'persistent-rbtree': { module: '@vmakit/index-persistent-rbtree', export: 'persistentRbtreePlugin' },
  'cow-btree': { module: '@vmakit/index-cow-btree', export: 'cowBtreePlugin' },
  reference: { module: '@vmakit/testkit', export: 'createReferenceIndex' },
};

/** One memory row. */
export interface MemoryRow {
  /** Index plug-in or baseline name. */
  readonly index: string;
  readonly kind: 'index' | 'baseline';
  readonly vmas: number;
  /** Measured heap + ArrayBuffer growth per VMA after full GCs (see memory-child.ts). */
  readonly heap_bytes_per_vma: number;
  /** Of which ArrayBuffer backing stores (typed-array node pools). */
  readonly array_buffer_bytes_per_vma: number;
  /** The index's own kernel-layout estimate, stats().bytes / vmas; null for baselines. */
  readonly model_bytes_per_vma: number | null;
}

/**
 * The built child script: next to this module when running from dist, else in ../dist when running
 * from source under vitest; null when the package has not been built.
 */
export function memoryChildScript(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'memory-child.js'), join(here, '..', 'dist', 'memory-child.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function runChild(script: string, req: MemoryChildRequest, signal?: AbortSignal): Promise<MemoryChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script, JSON.stringify(req)],
      { timeout: 300_000, maxBuffer: 1 << 20, ...(signal === undefined ? {} : { signal }) },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(
            new Error(`memory measurement of '${req.subject}' failed: ${err.message}\n${stderr}`.trim()),
          );
          return;
        }
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as MemoryChildResult);
        } catch {
          reject(new Error(`memory measurement of '${req.subject}' printed no result: ${stdout}${stderr}`));
        }
      },
    );
  });
}

/** Options of measureMemory(). */
export interface MemoryOptions {
  readonly subjects: readonly Subject[];
  readonly vmas: number;
  readonly seed: number;
  /** Extra or overriding module locations for index plug-ins, by name. */
  readonly pluginModules?: Readonly<Record<string, PluginModule>>;
  readonly signal?: AbortSignal;
  /** Children running at once (default 2). */
  readonly concurrency?: number;
  /** Called after each child finishes. */
  readonly onEach?: (subject: string) => void;
}

/**
 * Measures each subject in its own child process (`concurrency` at a time). Subjects that cannot be
 * measured (the package is not built, no module known for a plug-in) are reported in `notes`;
 * a child that fails is an error. O(subjects · (process start + build)).
 */
export async function measureMemory(options: MemoryOptions): Promise<{ rows: MemoryRow[]; notes: string[] }> {
  const rows: MemoryRow[] = [];
  const notes: string[] = [];
  const script = memoryChildScript();
  if (script === null) {
    notes.push('memory: skipped, the bench package is not built (run `npx tsc -b bench`)');
    return { rows, notes };
  }
  const modules = { ...BUILTIN_PLUGIN_MODULES, ...options.pluginModules };
  const jobs: { subject: Subject; req: MemoryChildRequest }[] = [];
  for (const subject of options.subjects) {
    let req: MemoryChildRequest = { subject: subject.name, vmas: options.vmas, seed: options.seed };
    if (subject.kind === 'index') {
      const where = modules[subject.name];
      if (where === undefined) {
        notes.push(`memory: '${subject.name}' skipped, no module known for it (pass pluginModules)`);
        options.onEach?.(subject.name);
        continue;
      }
      req = { ...req, module: where.module, exportName: where.export };
    }
    jobs.push({ subject, req });
  }
  // Children are independent heaps, so a few may run at once; the rows keep the subjects' order.
  const results: (MemoryRow | undefined)[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && options.signal?.aborted !== true) {
      const k = next++;
      const { subject, req } = jobs[k]!;
      const r = await runChild(script, req, options.signal);
      results[k] = {
        index: subject.name,
        kind: subject.kind,
        vmas: r.vmas,
        heap_bytes_per_vma: (r.heapBytes + r.arrayBufferBytes) / r.vmas,
        array_buffer_bytes_per_vma: r.arrayBufferBytes / r.vmas,
        model_bytes_per_vma: r.modelBytes === null ? null : r.modelBytes / r.vmas,
      };
      options.onEach?.(subject.name);
    }
  };
  const parallel = Math.max(1, Math.min(options.concurrency ?? 2, jobs.length));
  await Promise.all(Array.from({ length: parallel }, worker));
  for (const r of results) if (r !== undefined) rows.push(r);
  return { rows, notes };
}
