/**
 * Writing a report folder: results.json, report.md with charts/*.svg, report.html and
 * report.txt. Each file is written to a temporary sibling and renamed into place, so a reader
 * never sees a half-written file; results.json is written last, so its presence means the folder
 * is complete.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildReport } from '../model/build.js';
import type { ResultsDocument } from '../schema/types.js';
import { htmlOf } from './html.js';
import { markdownOf } from './markdown.js';
import { textOf } from './text.js';

/** Every file of a report folder: relative path → content, in writing order. */
export type ReportFiles = ReadonlyMap<string, string>;

/**
 * All report files of `doc` (chart SVGs, report.md, report.html, report.txt, results.json last).
 * Deterministic: the same document gives byte-identical files. O(document).
 * @throws ResultsError when `doc` is invalid.
 */
export function renderAll(doc: ResultsDocument): ReportFiles {
  const model = buildReport(doc);
  const md = markdownOf(model);
  const files = new Map<string, string>();
  for (const name of Object.keys(md.files).sort()) files.set(name, md.files[name]!);
  files.set('report.md', md.markdown);
  files.set('report.html', htmlOf(model));
  files.set('report.txt', textOf(model));
  files.set('results.json', `${JSON.stringify(doc, null, 2)}\n`);
  return files;
}

let tmpCounter = 0;

/**
 * Writes `content` to `path` through a temporary sibling and a rename (atomic on POSIX), creating
 * parent folders; on failure the temporary file is removed and `path` is untouched. Synchronous,
 * unlike @vmakit/formats' streaming (and gzipping) writer of capture files.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.vmakit-${process.pid}-${++tmpCounter}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the report of `doc` into `dir` (created if needed) and returns the relative paths
 * written. Chart files of an earlier report in the same folder that this one does not have are
 * removed from `dir/charts` (only `NN-*.svg` names this package writes). O(document).
 * @throws ResultsError when `doc` is invalid (nothing is written then).
 */
export function writeReport(dir: string, doc: ResultsDocument): string[] {
  const files = renderAll(doc);
  for (const [name, content] of files) writeFileAtomic(join(dir, name), content);
  const chartsDir = join(dir, 'charts');
  let existing: string[] = [];
  try {
    existing = readdirSync(chartsDir);
  } catch {
    // no charts folder: nothing stale
  }
  for (const f of existing)
    if (/^\d{2,}-[a-z0-9-]+\.svg$/.test(f) && !files.has(`charts/${f}`))
      rmSync(join(chartsDir, f), { force: true });
  return [...files.keys()];
}
