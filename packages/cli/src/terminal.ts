/**
 * Keeping the terminal safe from the names vmakit prints. Names come from user traces (a mapped file
 * called `<script>alert(1)</script>`, terminal escape sequences, bidirectional overrides), so every
 * string the CLI writes to a terminal passes through here: characters that a terminal would act on
 * rather than show become readable escapes. This is the last line of defence — the report package
 * already makes names visible in what it renders — so it escapes only what is dangerous and leaves
 * backslashes alone (text that was made visible upstream passes through unchanged).
 */

/** True for code points a terminal interprets or hides: C0 and C1 controls, DEL, bidi and zero-width marks. */
function dangerous(cp: number): boolean {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true; // C0, DEL, C1 (CSI is U+009B)
  if (cp === 0x061c || cp === 0x200e || cp === 0x200f) return true; // bidi marks
  if (cp >= 0x202a && cp <= 0x202e) return true; // bidi embeddings and overrides
  if (cp >= 0x2066 && cp <= 0x2069) return true; // bidi isolates
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff) return true; // zero-width
  if (cp === 0x2028 || cp === 0x2029) return true; // line and paragraph separators
  return cp >= 0xd800 && cp <= 0xdfff; // lone surrogate (a valid pair arrives as one code point)
}

function escapeCodePoint(cp: number): string {
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp === 0x09) return '\\t';
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every dangerous code point escaped (`\x1b`, `\u202e`, ...). Newlines and tabs are kept
 * when `multiline` is true (structure of a block of text), escaped otherwise (one table cell or
 * one name). O(n).
 */
export function terminalSafe(s: string, multiline = true): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (multiline && (cp === 0x0a || cp === 0x09)) out += ch;
    else out += dangerous(cp) ? escapeCodePoint(cp) : ch;
  }
  return out;
}

/** One name or table cell: like terminalSafe, newlines and tabs escaped too. */
export function safeName(s: string): string {
  return terminalSafe(s, false);
}

/**
 * JSON text whose strings cannot act on a terminal either: `JSON.stringify` already escapes C0
 * controls and lone surrogates; this also escapes DEL, C1 controls and the bidi and zero-width
 * marks as `\uXXXX`, which JSON readers decode to the same string. O(n).
 */
export function safeJsonText(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp > 0x7e && dangerous(cp) ? `\\u${cp.toString(16).padStart(4, '0')}` : ch;
  }
  return out;
}
