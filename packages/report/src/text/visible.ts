/**
 * Making untrusted names safe to show. Names in results come from user traces (mapped file
 * names, workload names), so they may hold newlines, terminal escapes, bidirectional overrides
 * (the "Trojan Source" trick), lone surrogates or noncharacters that XML forbids. Every renderer
 * first passes names through `visible`, which turns such characters into readable escapes, and
 * then applies its own format's escaping.
 */

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function hex4(cp: number): string {
  return cp.toString(16).padStart(4, '0');
}

/** True for code points shown as an escape: controls, format/bidi marks, separators, noncharacters. */
function needsEscape(cp: number): boolean {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true; // C0, DEL, C1 (terminal escapes)
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f) return true; // bidi marks
  if (cp >= 0x202a && cp <= 0x202e) return true; // bidi embeddings and overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true; // bidi isolates
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff) return true; // zero-width
  if (cp === 0x2028 || cp === 0x2029) return true; // line and paragraph separators
  if (cp >= 0xd800 && cp <= 0xdfff) return true; // lone surrogate (paired ones arrive combined)
  if (cp >= 0xfdd0 && cp <= 0xfdef) return true; // noncharacters
  if ((cp & 0xfffe) === 0xfffe) return true; // U+xxFFFE / U+xxFFFF noncharacters (not XML chars)
  return false;
}

/**
 * `s` with every control, bidi, zero-width, separator, surrogate or noncharacter code point shown
 * as `\n`, `\t`, `\r`, `\xHH` or `\uHHHH`, and backslashes doubled so escapes stay unambiguous.
 * The result holds only printable characters that are valid in XML 1.0. O(n).
 */
export function visible(s: string): string {
  let out = '';
  for (const ch of s) {
    const named = NAMED[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (!needsEscape(cp)) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${hex4(cp)}`;
    else out += `\\u{${cp.toString(16)}}`;
  }
  return out;
}

/** True for code points that take two terminal columns (East Asian Wide/Fullwidth, most emoji). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** True for combining marks, which take no column of their own. */
function isCombining(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  );
}

/** Terminal columns of a string that has been through `visible` (approximate wcwidth). O(n). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += isCombining(cp) ? 0 : isWide(cp) ? 2 : 1;
  }
  return w;
}

/**
 * `s` cut to at most `width` columns, ending in `ellipsis` when cut; never splits a code point
 * (or an escape made by `visible` when `s` is its output). O(n).
 */
export function truncateToWidth(s: string, width: number, ellipsis = '...'): string {
  if (displayWidth(s) <= width) return s;
  const room = width - displayWidth(ellipsis);
  if (room <= 0) return ellipsis.slice(0, Math.max(0, width));
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > room) break;
    out += ch;
    w += cw;
  }
  // Do not leave half of a `\xHH` / `\uHHHH` escape: drop a trailing partial escape.
  const partial = /\\(x[0-9a-f]{0,1}|u[0-9a-f]{0,3}|u\{[0-9a-f]*)?$/.exec(out);
  if (partial !== null && !/\\\\$/.test(out)) out = out.slice(0, partial.index);
  return out + ellipsis;
}

/** `s` padded with spaces to `width` columns on the right (left-aligned). */
export function padEndWidth(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** `s` padded with spaces to `width` columns on the left (right-aligned). */
export function padStartWidth(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}
