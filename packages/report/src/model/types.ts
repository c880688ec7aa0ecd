/**
 * The format-neutral report: sections of plain-text paragraphs, lists, tables of typed cells and
 * rendered charts. Every string in it is plain text (possibly from user traces); the Markdown,
 * HTML and text renderers escape it for their format. Built once per document by `buildReport`.
 */
import type { Unit } from '../text/numbers.js';

/** The output formats. */
export type Format = 'md' | 'html' | 'text';

/** A table cell. */
export type Cell =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'num'; readonly value: number | null; readonly unit: Unit }
  | { readonly kind: 'bool'; readonly value: boolean | null }
  /** A value and its change relative to a baseline value (the cover-letter "(+68.99%)"). */
  | { readonly kind: 'vs'; readonly value: number | null; readonly base: number | null; readonly unit: Unit };

/** A column: its heading and whether it holds figures (right-aligned). */
export interface Column {
  readonly label: string;
  readonly numeric: boolean;
}

/** Blocks may be limited to some formats (e.g. a list for text, a wide table for the others). */
interface Limited {
  readonly only?: readonly Format[];
}

/** A table; the first `keyColumns` columns name the row (row headers, kept in every text block). */
export interface TableBlock extends Limited {
  readonly kind: 'table';
  readonly caption: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Cell[])[];
  readonly keyColumns: number;
}

/** A chart: the SVG markup and the file it is written to next to report.md. */
export interface ChartBlock extends Limited {
  readonly kind: 'chart';
  /** Relative path, e.g. `charts/03-scaling-faults.svg`. */
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/** A paragraph of plain text; `tone: 'warning'` marks problems the reader must not miss. */
export interface ParagraphBlock extends Limited {
  readonly kind: 'paragraph';
  readonly text: string;
  readonly tone?: 'warning';
}

/** A bulleted list of plain-text items. */
export interface ListBlock extends Limited {
  readonly kind: 'list';
  readonly items: readonly string[];
}

/** Any block. */
export type Block = TableBlock | ChartBlock | ParagraphBlock | ListBlock;

/** A titled section; `id` is a fixed identifier (not user text), usable as an HTML id. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** The whole report. */
export interface ReportModel {
  readonly title: string;
  readonly sections: readonly Section[];
}

/** Cell constructors. */
export const cell = {
  text: (text: string): Cell => ({ kind: 'text', text }),
  num: (value: number | null | undefined, unit: Unit): Cell => ({ kind: 'num', value: value ?? null, unit }),
  bool: (value: boolean | null): Cell => ({ kind: 'bool', value }),
  vs: (value: number | null | undefined, base: number | null | undefined, unit: Unit): Cell => ({
    kind: 'vs',
    value: value ?? null,
    base: base ?? null,
    unit,
  }),
};

/** True when `block` is rendered in `format`. */
export function shownIn(block: Block, format: Format): boolean {
  return block.only === undefined || block.only.includes(format);
}
