/**
 * Validation of a results document: the JSON Schema, then the rules a schema cannot express
 * (shard number below the shard count, one row per matrix cell, percentiles in order, counters
 * that cannot exceed their totals).
 */
import { VmakitError } from '@vmakit/core';
import { cellsOf, duplicateCells } from './cells.js';
import { RESULTS_SCHEMA } from './schema.js';
import { RESULTS_SCHEMA_VERSION, type ResultsDocument } from './types.js';
import { validateAgainstSchema } from './validator.js';

/** A results document that fails validation; `problems` lists every error found. */
export class ResultsError extends VmakitError {
  override readonly name = 'ResultsError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    super(`${source}: invalid results document:\n  ${shown.join('\n  ')}${more}`);
  }
}

function semanticErrors(doc: ResultsDocument): string[] {
  const errors: string[] = [];
  const md = doc.metadata;
  if (md.shard !== undefined && md.shard.index >= md.shard.count)
    errors.push(`$.metadata.shard.index: ${md.shard.index} must be below count ${md.shard.count}`);
  if (md.shard !== undefined && md.merged_from !== undefined)
    errors.push('$.metadata: a merged document (merged_from) cannot also be a shard');
  if (md.cells !== undefined && md.cells.planned.length > 0) {
    const planned = new Set(md.cells.planned);
    md.cells.finished.forEach((c, i) => {
      if (!planned.has(c))
        errors.push(`$.metadata.cells.finished[${i}]: cell ${JSON.stringify(c)} was not planned`);
    });
  }
  for (const [key, paths] of duplicateCells(cellsOf(doc)))
    errors.push(`${paths[1]}: duplicate cell ${JSON.stringify(key)} (also at ${paths[0]})`);
  doc.benchmarks?.rows.forEach((r, i) => {
    if (r.ns_p99 < r.ns_p50)
      errors.push(`$.benchmarks.rows[${i}]: ns_p99 ${r.ns_p99} is below ns_p50 ${r.ns_p50}`);
  });
  doc.fault_path?.rows.forEach((r, i) => {
    if (r.ns_p99 < r.ns_p50)
      errors.push(`$.fault_path.rows[${i}]: ns_p99 ${r.ns_p99} is below ns_p50 ${r.ns_p50}`);
    if ((r.kernel_faults_per_sec === null) !== (r.ratio_vs_kernel === null))
      errors.push(
        `$.fault_path.rows[${i}]: ratio_vs_kernel and kernel_faults_per_sec must both be null or both set`,
      );
  });
  doc.replay?.rows.forEach((r, i) => {
    if (r.faults_handled + r.signals > r.faults)
      errors.push(
        `$.replay.rows[${i}]: faults_handled + signals (${r.faults_handled + r.signals}) exceed faults (${r.faults})`,
      );
  });
  doc.scaling?.points.forEach((p, i) => {
    if (p.spf_abort > p.spf_attempt)
      errors.push(`$.scaling.points[${i}]: spf_abort ${p.spf_abort} exceeds spf_attempt ${p.spf_attempt}`);
    if (p.fallbacks > p.faults)
      errors.push(`$.scaling.points[${i}]: fallbacks ${p.fallbacks} exceed faults ${p.faults}`);
  });
  return errors;
}

/**
 * Every problem with `doc` as a results document, as `$.path: message` lines; empty when valid.
 * Schema errors are reported first; the cross-field rules run only on a schema-valid document.
 * O(size of the document).
 */
export function validateResults(doc: unknown): string[] {
  const version = (doc as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version === 'number' && version !== RESULTS_SCHEMA_VERSION)
    return [
      `$.schema_version: version ${version} is not supported (this reader knows version ${RESULTS_SCHEMA_VERSION})`,
    ];
  const schemaErrors = validateAgainstSchema(RESULTS_SCHEMA, doc);
  if (schemaErrors.length > 0) return schemaErrors;
  return semanticErrors(doc as ResultsDocument);
}

/**
 * `doc` typed as a results document. @throws ResultsError (naming `source`) with every problem.
 */
export function assertResults(doc: unknown, source = 'results'): ResultsDocument {
  const problems = validateResults(doc);
  if (problems.length > 0) throw new ResultsError(source, problems);
  return doc as ResultsDocument;
}

/**
 * Parses and validates results.json text. @throws ResultsError for bad JSON (with its position)
 * or an invalid document.
 */
export function parseResults(text: string, source = 'results.json'): ResultsDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ResultsError(source, [`not JSON: ${(err as Error).message}`]);
  }
  return assertResults(doc, source);
}
