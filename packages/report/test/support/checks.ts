/**
 * Format checks shared by the renderer tests: Markdown table structure (GFM cell splitting),
 * plain-text width and character set, HTML safety (parsed with the XML checker).
 */
import { expect } from 'vitest';
import { displayWidth } from '../../src/text/visible.js';
import { allElements, findAll, parseXml, type XmlElement } from './xml.js';

/** Cells of a GFM table row, split the way cmark-gfm does: at pipes not preceded by a backslash. */
export function gfmCells(row: string): string[] {
  const inner = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/);
}

/** Every Markdown table in `md`: its header cell count and each row's cell count. */
export function markdownTables(md: string): { header: number; rows: number[] }[] {
  const lines = md.split('\n');
  const tables: { header: number; rows: number[] }[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (lines[i]!.startsWith('| ') && /^\| (---:?|:?---)( \| (---:?|:?---))* \|$/.test(lines[i + 1]!)) {
      const t = { header: gfmCells(lines[i]!).length, rows: [] as number[] };
      let j = i + 2;
      while (j < lines.length && lines[j]!.startsWith('| ')) t.rows.push(gfmCells(lines[j++]!).length);
      tables.push(t);
      i = j;
    }
  }
  return tables;
}

/** Asserts Markdown structure: every row has the header's cell count; no raw HTML tag starts. */
export function checkMarkdown(md: string): void {
  const tables = markdownTables(md);
  for (const t of tables) for (const n of t.rows) expect(n).toBe(t.header);
  expect(md).not.toMatch(/<[a-zA-Z!/?]/);
  checkNoInvisibles(md);
}

/** No control characters except newline, no bidi/zero-width/separator characters, no lone surrogates. */
export function checkNoInvisibles(s: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these
  expect(s).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(s).not.toMatch(
    /[\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060\u2066-\u2069\ufeff\ufffe\uffff]/,
  );
  expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
}

/** Asserts plain text: ≤ 80 columns, no invisible characters. */
export function checkText(txt: string): void {
  for (const line of txt.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  checkNoInvisibles(txt);
}

/**
 * Parses the HTML page as XML and asserts it cannot run code or load anything: no script, no
 * event-handler attributes, no external references, unique ids.
 */
export function checkHtml(html: string): XmlElement {
  expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
  const root = parseXml(html);
  const elements = allElements(root);
  const banned = new Set([
    'script',
    'iframe',
    'object',
    'embed',
    'img',
    'link',
    'base',
    'form',
    'foreignObject',
  ]);
  for (const e of elements) {
    expect(banned.has(e.name), `<${e.name}>`).toBe(false);
    for (const [name, value] of e.attrs) {
      expect(name.toLowerCase().startsWith('on'), name).toBe(false);
      if (name === 'href') expect(value.startsWith('#'), value).toBe(true);
      expect(['src', 'srcset', 'xlink:href', 'action'].includes(name), name).toBe(false);
    }
  }
  const ids = elements.map((e) => e.attrs.get('id')).filter((id): id is string => id !== undefined);
  expect(new Set(ids).size).toBe(ids.length);
  const csp = findAll(root, 'meta').find((m) => m.attrs.get('http-equiv') === 'Content-Security-Policy');
  expect(csp?.attrs.get('content')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
  checkNoInvisibles(html);
  return root;
}
