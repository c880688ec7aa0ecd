/**
 * Cell text per format family. Figures are the library's own text (digits, units, signs) and need
 * no escaping; text cells are untrusted and each renderer escapes them.
 */
import type { Cell } from '../model/types.js';
import { formatChange, formatFixed, formatHuman } from '../text/numbers.js';

/** A cell's text and whether it came from the document (untrusted) or from number formatting. */
export interface CellText {
  readonly text: string;
  readonly untrusted: boolean;
}

function changeSuffix(value: number, base: number | null): string {
  if (base === null) return '';
  const c = formatChange(value, base);
  return c === null ? '' : ` (${c})`;
}

/** Human units (3.82 M, 52.1 ns) for Markdown and HTML. */
export function humanCell(c: Cell): CellText {
  switch (c.kind) {
    case 'text':
      return { text: c.text, untrusted: true };
    case 'bool':
      return { text: c.value === null ? '-' : c.value ? 'yes' : 'no', untrusted: false };
    case 'num':
      return { text: c.value === null ? '-' : formatHuman(c.value, c.unit), untrusted: false };
    case 'vs':
      return {
        text: c.value === null ? '-' : `${formatHuman(c.value, c.unit)}${changeSuffix(c.value, c.base)}`,
        untrusted: false,
      };
  }
}

/** Fixed-width figures (3.82 M, 1,024, 0.25) for the kernel-cover-letter text, with the column's decimals. */
export function fixedCell(c: Cell, decimals?: number): CellText {
  switch (c.kind) {
    case 'text':
      return { text: c.text, untrusted: true };
    case 'bool':
      return { text: c.value === null ? '-' : c.value ? 'yes' : 'no', untrusted: false };
    case 'num':
      return { text: c.value === null ? '-' : formatFixed(c.value, c.unit, decimals), untrusted: false };
    case 'vs':
      return {
        text:
          c.value === null
            ? '-'
            : `${formatFixed(c.value, c.unit, decimals)}${changeSuffix(c.value, c.base)}`,
        untrusted: false,
      };
  }
}
