/**
 * Child-process entry of the memory measurement (started by memory.ts as
 * `node --expose-gc memory-child.js '<json>'` from the built `dist`). It measures one structure in
 * a fresh heap and prints one JSON line.
 *
 * What is counted: the growth of V8's used heap plus ArrayBuffer backing stores
 * (process.memoryUsage().heapUsed + arrayBuffers) between two points, each after repeated full
 * GCs: (1) after the layout's VMA objects, its address arrays and the structure's code have been
 * allocated and warmed up (a 1,000-VMA build first, then dropped), and (2) after the structure has
 * been loaded with every VMA and is kept reachable. So the number is the structure's own
 * overhead: nodes, arrays, wrappers and anything it retains (RCU-retired nodes still awaiting a
 * grace period included), but not the VMA objects.
 */
import type { IndexPlugin, VmaIndex } from '@vmakit/core';
import { buildFrbTree, buildSortedBtree, LimitArray } from './baselines.js';
import type { BenchVma } from './entry.js';
import { type BenchLayout, generateSyntheticLayout, syntheticLayoutFor } from './layouts.js';
import { deriveSeed } from './rng.js';

/** What the parent asks for. */
export interface MemoryChildRequest {
  /** Subject name (an index plug-in's name or a baseline's). */
  readonly subject: string;
  /** For an index: the module to import and the export naming its plug-in or factory. */
  readonly module?: string;
  readonly exportName?: string;
  readonly vmas: number;
  readonly seed: number;
}

/** What the child prints. */
export interface MemoryChildResult {
  readonly subject: string;
  readonly vmas: number;
  readonly heapBytes: number;
  readonly arrayBufferBytes: number;
  readonly modelBytes: number | null;
  readonly nodeVersion: string;
}

type Build = (layout: BenchLayout) => unknown;

async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function builderFor(
  req: MemoryChildRequest,
): Promise<{ build: Build; model: (t: unknown) => number | null }> {
  if (req.subject === 'limit') return { build: (l) => new LimitArray(l), model: () => null };
  if (req.subject === 'raw:sorted-btree') return { build: buildSortedBtree, model: () => null };
  if (req.subject === 'raw:functional-red-black-tree') return { build: buildFrbTree, model: () => null };
  if (req.module === undefined || req.exportName === undefined) {
    throw new Error(`no module given for index '${req.subject}'`);
  }
  const mod = (await import(req.module)) as Record<string, unknown>;
  const exported = mod[req.exportName];
  let create: () => VmaIndex<BenchVma>;
  if (typeof exported === 'function') create = () => (exported as () => VmaIndex<BenchVma>)();
  else if (exported !== null && typeof exported === 'object' && 'create' in exported) {
    const plugin = exported as IndexPlugin;
    if (plugin.meta.name !== req.subject) {
      throw new Error(
        `${req.module} export ${req.exportName} is plug-in '${plugin.meta.name}', not '${req.subject}'`,
      );
    }
    create = () => plugin.create<BenchVma>();
  } else throw new Error(`${req.module} has no plug-in or factory named ${req.exportName}`);
  return {
    build(layout) {
      const index = create();
      for (const k of layout.order) index.insert(layout.starts[k]!, layout.ends[k]!, layout.entries[k]!);
      return index;
    },
    model: (t) => (t as VmaIndex<BenchVma>).stats().bytes,
  };
}

function usage(): { heap: number; buffers: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

/** Keeps the measured structure reachable until the process ends. */
const keep: unknown[] = [];

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('memory-child must run with --expose-gc');
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('usage: node --expose-gc memory-child.js <json request>');
  const req = JSON.parse(arg) as MemoryChildRequest;
  const { build, model } = await builderFor(req);
  // Warm-up build on another layout: compiles and optimises the structure's code so that neither
  // bytecode nor feedback vectors are counted as its data.
  keep.push(build(generateSyntheticLayout({ vmas: 1000, seed: deriveSeed(req.seed, 'memory-warmup') })));
  keep.pop();
  const layout = syntheticLayoutFor(req.vmas, req.seed);
  await settle(gc);
  const before = usage();
  const target = build(layout);
  keep.push(target, layout);
  await settle(gc);
  const after = usage();
  const result: MemoryChildResult = {
    subject: req.subject,
    vmas: layout.vmas,
    heapBytes: after.heap - before.heap,
    arrayBufferBytes: after.buffers - before.buffers,
    modelBytes: model(target),
    nodeVersion: process.version,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
