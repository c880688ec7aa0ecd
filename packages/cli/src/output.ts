/**
 * Output helpers: machine-readable JSON on stdout, human text otherwise, and atomic file writes
 * (write a temporary sibling, then rename) so an interrupted run never leaves a half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Output formats a data command accepts. */
export type OutputFormat = 'text' | 'json';

/** Validate a --format value. */
export function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  throw new Error(`--format must be 'text' or 'json', not '${value}'`);
}

/** Print a value as stable, indented JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Write `content` to `path` atomically, creating parent folders. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Render rows as an aligned plain-text table. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Render `key  value` pairs with aligned values. */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
