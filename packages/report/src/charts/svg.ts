/**
 * Writing SVG markup. Tag and attribute names are the library's own constants (checked); every
 * attribute value and every piece of text goes through `escapeXml`, so names from user traces
 * cannot break out of the markup.
 */
import { escapeMarkupChars, escapeXml } from '../text/markup.js';
import { visible } from '../text/visible.js';

/** An attribute value: numbers are written as coordinates, undefined omits the attribute. */
export type AttrValue = string | number | undefined;

const NAME = /^[a-zA-Z][a-zA-Z0-9:-]*$/;

/** A coordinate or length with at most two decimals, never "-0" or an exponent. */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`svg: non-finite coordinate ${v}`);
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) || r === 0 ? '0' : r.toFixed(2).replace(/\.?0+$/, '');
}

/** Markup of one element; `children` are markup strings (use `esc` for text). */
export function el(
  tag: string,
  attrs: Readonly<Record<string, AttrValue>>,
  children?: string | readonly string[],
): string {
  if (!NAME.test(tag)) throw new Error(`svg: bad tag name ${JSON.stringify(tag)}`);
  let s = `<${tag}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (!NAME.test(k)) throw new Error(`svg: bad attribute name ${JSON.stringify(k)}`);
    s += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  const body = typeof children === 'string' ? children : (children ?? []).join('');
  return body === '' ? `${s}/>` : `${s}>${body}</${tag}>`;
}

/** Untrusted text as element content. */
export function esc(s: string): string {
  return escapeXml(s);
}

/** Average glyph width at `fontSize`, for laying out labels without measuring fonts. */
export function textWidth(s: string, fontSize = 12): number {
  return [...s].length * fontSize * 0.6;
}

/** Untrusted text as element content, made visible and cut to fit `px` pixels at `fontSize`. */
export function label(s: string, px: number, fontSize = 12): string {
  return escapeMarkupChars(fitText(visible(s), px, fontSize));
}

/** Text (already visible) cut to fit `px` pixels at `fontSize`, with an ellipsis when cut. */
export function fitText(s: string, px: number, fontSize = 12): string {
  const chars = [...s];
  const max = Math.max(1, Math.floor(px / (fontSize * 0.6)));
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
