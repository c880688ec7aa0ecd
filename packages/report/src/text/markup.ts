/**
 * Escaping for the markup formats. HTML and SVG share one escaper: every attribute is written in
 * double quotes, and escaping all five of & < > " ' makes the same string safe as element text,
 * as an attribute value and inside inline SVG. Markdown cells need their own rules (pipes end a
 * cell, backslash escapes, inline HTML).
 */
import { truncateToWidth, visible } from './visible.js';

const MARKUP: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes & < > " ' of text that has already been through `visible` (or is the library's own
 * text) for HTML/XML content and double-quoted attributes. O(n).
 */
export function escapeMarkupChars(s: string): string {
  return s.replace(/[&<>"']/g, (c) => MARKUP[c]!);
}

/**
 * An untrusted string as HTML or XML (SVG) text or double-quoted attribute value: invisible and
 * XML-invalid characters shown as escapes (see `visible`), then & < > " ' as entities. O(n).
 */
export function escapeXml(s: string): string {
  return escapeMarkupChars(visible(s));
}

/** Like `escapeXml`, cut to `maxWidth` columns (with "…") after making it visible. O(n). */
export function escapeXmlTruncated(s: string, maxWidth: number): string {
  return escapeMarkupChars(truncateToWidth(visible(s), maxWidth, '…'));
}

/**
 * Characters that can start emphasis, code, links, strikethrough, GitHub math or a table cell
 * anywhere in a line. `(`, `)` and `!` need no escape once `[` and `]` are escaped.
 */
const MD_INLINE = /[\\`*_[\]|~$]/g;
/** A line start that would make a heading, quote, list item, rule or setext underline. */
const MD_LINE_START = /^([#>+=-]|\d+[.)])/;

/**
 * An untrusted string as GitHub-flavoured Markdown inline text, safe inside a table cell and at
 * the start of a line: shown visibly (newlines as `\n`), cut to `maxWidth` columns, `& < >` as
 * entities (no raw HTML reaches the page), and Markdown punctuation — including the cell-ending
 * pipe — backslash-escaped. O(n).
 */
export function escapeMarkdown(s: string, maxWidth = 200): string {
  const shown = truncateToWidth(visible(s), maxWidth, '…');
  const inline = shown.replace(MD_INLINE, (c) => `\\${c}`).replace(/[&<>]/g, (c) => MARKUP[c]!);
  return inline.replace(MD_LINE_START, (m) =>
    /^\d/.test(m) ? `${m.slice(0, -1)}\\${m.slice(-1)}` : `\\${m}`,
  );
}
