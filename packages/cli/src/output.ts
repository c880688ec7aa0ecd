/**
 * Output helpers: machine-readable JSON on stdout, human text otherwise, and atomic file writes
 * (write a temporary sibling, then rename) so an interrupted run never leaves a half-written file.
 * Everything printed goes through terminal.ts, so no name from a trace can act on the terminal.
 */
import { UsageError } from './errors.js';
import { safeJsonText, safeName, terminalSafe } from './terminal.js';

/** Write `content` to `path` atomically, creating parent folders (the report package's writer). */
export { writeFileAtomic } from '@vmakit/report';

/** Output formats a data command accepts. */
export type OutputFormat = 'text' | 'json';

/** Validate a --format value. */
export function parseFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--format must be 'text' or 'json', not '${safeName(value)}'`);
}

/** Print a value as stable, indented JSON (terminal-safe; see safeJsonText). */
export function printJson(value: unknown): void {
  process.stdout.write(`${safeJsonText(value)}\n`);
}

/** Print text (terminal-safe; newlines and tabs kept). */
export function printText(text: string): void {
  process.stdout.write(terminalSafe(text.endsWith('\n') ? text : `${text}\n`));
}

/** One line of progress or a notice on stderr (terminal-safe). */
export function note(text: string): void {
  process.stderr.write(`${terminalSafe(text)}\n`);
}

/** Render rows as an aligned plain-text table (cells made terminal-safe, one line each). */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const safe = rows.map((r) => r.map((c) => safeName(c)));
  const head = header.map((h) => safeName(h));
  const widths = head.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...safe.map(line)].join('\n');
}

/** Render `key  value` pairs with aligned values (terminal-safe). */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([k]) => safeName(k).length));
  return rows.map(([k, v]) => `${safeName(k).padEnd(width)}  ${safeName(v)}`).join('\n');
}

/** A number for a table: integers with thousands separators, others with `digits` significant digits. */
export function formatNumber(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  if (abs >= 10 ** digits) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(digits);
}

/** A rate in compact SI form: 8.72M, 715k, 12.0. */
export function formatRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return n.toPrecision(3);
}
