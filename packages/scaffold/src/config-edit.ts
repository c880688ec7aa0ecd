/**
 * Registers an index plug-in in `vmakit.config.ts` by a minimal text edit: one import line (placed
 * where Biome's import sorting wants it) and the plug-in appended to the `indexes: [ ... ]` list.
 * The file is scanned with comments and strings masked, so a bracket or the word `indexes` inside
 * them is never mistaken for code. Shapes the edit cannot be sure of are refused, never guessed.
 */
import { ScaffoldError } from './errors.js';

/** Biome's line width in this repository: a list that fits stays on one line. */
const LINE_WIDTH = 110;

/** A region of the text that is not code. */
interface Span {
  readonly from: number;
  readonly to: number;
  readonly kind: 'comment' | 'string';
}

/**
 * The text with comments and string/template literals replaced by spaces (same length, newlines
 * kept), and where they were. A scanner, not a parser: enough for a configuration file. O(length).
 */
function mask(text: string): { masked: string; spans: Span[] } {
  const out = text.split('');
  const spans: Span[] = [];
  const blank = (from: number, to: number, kind: Span['kind']) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
    spans.push({ from, to, kind });
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const to = end === -1 ? text.length : end;
      blank(i, to, 'comment');
      i = to;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const to = end === -1 ? text.length : end + 2;
      blank(i, to, 'comment');
      i = to;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      // Keep the quotes so that `from './x.js'` still reads as a string; blank the contents.
      blank(i + 1, Math.min(j, text.length), 'string');
      i = j + 1;
    } else i++;
  }
  return { masked: out.join(''), spans };
}

/** A top-level import statement. */
interface ImportStatement {
  readonly start: number;
  /** Offset just past its terminating semicolon (or its last character). */
  readonly end: number;
  readonly specifier: string;
}

function findImports(text: string, masked: string): ImportStatement[] {
  const found: ImportStatement[] = [];
  const re = /^import\b/gm;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const semi = masked.indexOf(';', m.index);
    const lineEnd = masked.indexOf('\n', m.index);
    // Without semicolons an import ends at the line holding its `from '...'` string.
    const end = semi !== -1 ? semi + 1 : lineEnd === -1 ? masked.length : lineEnd;
    const statement = text.slice(m.index, end);
    const spec = /(?:from\s*|^import\s*)(['"])([^'"]*)\1\s*;?\s*$/.exec(statement);
    if (spec === null) continue;
    found.push({ start: m.index, end, specifier: spec[2]! });
    re.lastIndex = end;
  }
  return found;
}

/** Biome's import groups: node builtins, then packages, then relative paths. */
function importGroup(specifier: string): number {
  if (specifier.startsWith('node:')) return 0;
  if (specifier.startsWith('.')) return 2;
  return 1;
}

/** Inserts `line` among the imports where a sorted import list keeps it. */
function insertImport(text: string, masked: string, line: string, specifier: string): string {
  const imports = findImports(text, masked);
  if (imports.length === 0) {
    // After the leading comment block, before the first statement.
    const first = masked.search(/\S/);
    const at = first === -1 ? text.length : text.lastIndexOf('\n', first) + 1;
    return `${text.slice(0, at)}${line}\n\n${text.slice(at)}`;
  }
  const group = importGroup(specifier);
  const before = imports.find((imp) => {
    const g = importGroup(imp.specifier);
    return g > group || (g === group && imp.specifier > specifier);
  });
  if (before !== undefined) {
    const at = text.lastIndexOf('\n', before.start) + 1;
    return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
  }
  const last = imports[imports.length - 1]!;
  return `${text.slice(0, last.end)}\n${line}${text.slice(last.end)}`;
}

/** Offset of the `]` closing the `[` at `open` in the masked text, or -1. */
function closingBracket(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') {
      depth--;
      if (depth === 0) return c === ']' ? i : -1;
    }
  }
  return -1;
}

/** Splits a list's inside (masked) at top-level commas; returns [from, to) of each element. */
function elements(masked: string, from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    const c = i < to ? masked[i] : ',';
    if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      let a = start;
      let b = i;
      while (a < b && /\s/.test(masked[a]!)) a++;
      while (b > a && /\s/.test(masked[b - 1]!)) b--;
      if (a < b) parts.push([a, b]);
      start = i + 1;
    }
  }
  return parts;
}

function cannotEdit(file: string, why: string, importLine: string, plugin: string): ScaffoldError {
  return new ScaffoldError(
    'cannot-edit',
    `${file}: ${why}. Register the index by hand: add \`${importLine}\` and put ${plugin} in the indexes list of defineConfig({ indexes: [...builtinIndexes, ${plugin}] })`,
  );
}

/** Appends `plugin` to the single `indexes: [ ... ]` list. */
function appendToIndexes(
  text: string,
  masked: string,
  spans: readonly Span[],
  plugin: string,
  fail: (why: string) => ScaffoldError,
): string {
  const matches = [...masked.matchAll(/\bindexes\s*:\s*\[/g)];
  if (matches.length === 0) throw fail('it has no `indexes: [ ... ]` list');
  if (matches.length > 1) throw fail('it has more than one `indexes: [ ... ]` list');
  const m = matches[0]!;
  const open = m.index + m[0].length - 1;
  const close = closingBracket(masked, open);
  if (close === -1) throw fail('the `indexes` list is not closed by a matching `]`');
  const hasComment = spans.some((s) => s.kind === 'comment' && s.from > open && s.to <= close);
  const items = elements(masked, open + 1, close).map(([a, b]) => text.slice(a, b));
  const lineStart = text.lastIndexOf('\n', m.index) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const lineEnd = text.indexOf('\n', close);
  const rest = text.slice(close + 1, lineEnd === -1 ? text.length : lineEnd);
  const head = text.slice(lineStart, open + 1);

  if (!hasComment && items.every((it) => !it.includes('\n'))) {
    // Rebuild the list as Biome prints it: on one line when it fits, else one element per line.
    const all = [...items, plugin];
    const oneLine = `${head}${all.join(', ')}]${rest}`;
    const list =
      oneLine.length <= LINE_WIDTH
        ? `${all.join(', ')}]`
        : `\n${all.map((it) => `${indent}  ${it},`).join('\n')}\n${indent}]`;
    return `${text.slice(0, open + 1)}${list}${text.slice(close + 1)}`;
  }
  // A list with comments or multi-line elements: add one line before the closing bracket.
  let lastEnd = open + 1;
  const parts = elements(masked, open + 1, close);
  if (parts.length > 0) lastEnd = parts[parts.length - 1]![1];
  const needsComma = parts.length > 0 && masked.slice(lastEnd, close).indexOf(',') === -1;
  const closeLineStart = text.lastIndexOf('\n', close) + 1;
  if (text.slice(closeLineStart, close).trim() !== '') {
    throw fail('its multi-line `indexes` list does not end with `]` on a line of its own');
  }
  const insertAt = closeLineStart;
  const withComma = needsComma ? `${text.slice(0, lastEnd)},${text.slice(lastEnd, insertAt)}` : null;
  const base = withComma ?? text.slice(0, insertAt);
  return `${base}${indent}  ${plugin},\n${text.slice(insertAt)}`;
}

/**
 * The configuration text with `import { plugin } from 'specifier';` added and `plugin` appended to
 * its `indexes` list. `file` names the file in errors. Throws ScaffoldError('cannot-edit') when the
 * shape is not one it can edit safely (no or several `indexes` lists, an unclosed list, the name
 * already used). O(length).
 */
export function addIndexToConfig(text: string, file: string, plugin: string, specifier: string): string {
  const importLine = `import { ${plugin} } from '${specifier}';`;
  const fail = (why: string) => cannotEdit(file, why, importLine, plugin);
  const { masked, spans } = mask(text);
  if (new RegExp(`\\b${plugin}\\b`).test(masked)) throw fail(`it already mentions ${plugin}`);
  if (findImports(text, masked).some((imp) => imp.specifier === specifier)) {
    throw fail(`it already imports '${specifier}'`);
  }
  if (!/\bexport\s+default\b/.test(masked)) throw fail('it has no `export default defineConfig({ ... })`');
  const listed = appendToIndexes(text, masked, spans, plugin, fail);
  return insertImport(listed, mask(listed).masked, importLine, specifier);
}

/** A new vmakit.config.ts registering the built-in indexes and `plugin`. */
export function newConfigText(plugin: string, specifier: string): string {
  return [
    '/**',
    ' * The plug-ins every vmakit command and the registry-wide conformance test iterate.',
    ' * `vmakit new index NAME` adds its import and its plug-in here.',
    ' */',
    "import { builtinIndexes, defineConfig } from '@vmakit/registry';",
    `import { ${plugin} } from '${specifier}';`,
    '',
    'export default defineConfig({',
    `  indexes: [...builtinIndexes, ${plugin}],`,
    '});',
    '',
  ].join('\n');
}
