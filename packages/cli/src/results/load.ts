/**
 * Reading results documents named on the command line: a results.json file or a report folder
 * holding one. Validation errors name the file and list every problem (report's ResultsError).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseResults, type ResultsDocument } from '@vmakit/report';
import { UsageError } from '../errors.js';

/**
 * The results.json a path means: the file itself, `<dir>/results.json`, or for a reports folder
 * (what `compare --out` names) its `latest/results.json`.
 */
export function resultsPath(path: string): string {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    for (const file of [join(path, 'results.json'), join(path, 'latest', 'results.json')])
      if (existsSync(file)) return file;
    throw new UsageError(`${path}: folder has no results.json (nor latest/results.json)`);
  }
  return path;
}

/** Reads and validates a results document. */
export function loadResults(path: string): { readonly path: string; readonly doc: ResultsDocument } {
  const file = resultsPath(path);
  return { path: file, doc: parseResults(readFileSync(file, 'utf8'), file) };
}
