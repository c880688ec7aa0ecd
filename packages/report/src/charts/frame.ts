/**
 * What every chart shares: the accessible <svg> wrapper (role, <title>, <desc>), the title line,
 * axes with tick labels in human units, grid lines and the legend below the plot.
 */

import { escapeMarkupChars } from '../text/markup.js';
import { formatHuman, type Unit } from '../text/numbers.js';
import { visible } from '../text/visible.js';
import type { Scale } from './scale.js';
import { markerAt, type SeriesStyle } from './style.js';
import { el, esc, fitText, label, textWidth } from './svg.js';

/** An axis: its title and the unit its ticks are written in. */
export interface AxisSpec {
  readonly label: string;
  readonly unit: Unit;
}

/** Fixed layout of every chart. */
export const LAYOUT = { width: 720, left: 76, right: 20, top: 40, plotHeight: 280, axisGap: 46 } as const;

const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';

/** Checks a chart id (it becomes XML ids, unique within the page). */
export function checkId(id: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(id))
    throw new Error(`chart id must match [A-Za-z][A-Za-z0-9_-]* (${JSON.stringify(id)})`);
}

/** The title split into at most two lines that fit `width` pixels at 14 px (the second one cut). */
export function titleLines(title: string, width: number): string[] {
  const shown = visible(title);
  const max = Math.floor((width - 24) / (14 * 0.6));
  if ([...shown].length <= max) return [shown];
  const words = shown.split(' ');
  let first = '';
  let i = 0;
  for (; i < words.length; i++) {
    const next = first === '' ? words[i]! : `${first} ${words[i]}`;
    if ([...next].length > max) break;
    first = next;
  }
  if (first === '') return [fitText(shown, width - 24, 14)];
  return [first, fitText(words.slice(i).join(' '), width - 24, 14)];
}

/** Top of the plot area for a chart with this title. */
export function plotTop(title: string, width: number): number {
  return LAYOUT.top + (titleLines(title, width).length - 1) * 18;
}

/** The outer <svg> with its accessible name and description, and the visible title. */
export function svgDocument(
  id: string,
  width: number,
  height: number,
  title: string,
  desc: string,
  body: string,
): string {
  const lines = titleLines(title, width).map((line, i) =>
    el(
      'text',
      {
        x: width / 2,
        y: 22 + i * 18,
        'text-anchor': 'middle',
        'font-size': 14,
        'font-weight': 600,
        fill: '#111111',
      },
      escapeMarkupChars(line),
    ),
  );
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      'font-family': FONT,
      'font-size': 12,
    },
    [
      el('title', { id: `${id}-title` }, esc(title)),
      el('desc', { id: `${id}-desc` }, esc(desc)),
      el('rect', { width, height, fill: '#ffffff' }),
      ...lines,
      body,
    ],
  );
}

/** Horizontal grid lines, the y axis with its ticks, and the rotated y title. */
export function yAxis(scale: Scale, axis: AxisSpec, x0: number, x1: number, y0: number, y1: number): string {
  const parts: string[] = [];
  for (const t of scale.ticks) {
    const y = scale.map(t);
    parts.push(el('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: '#e3e3e3', 'stroke-width': 1 }));
    parts.push(
      el(
        'text',
        { x: x0 - 6, y: y + 4, 'text-anchor': 'end', fill: '#333333' },
        esc(formatHuman(t, axis.unit)),
      ),
    );
  }
  parts.push(el('line', { x1: x0, x2: x0, y1: y0, y2: y1, stroke: '#555555', 'stroke-width': 1 }));
  const mid = (y0 + y1) / 2;
  parts.push(
    el(
      'text',
      { x: -mid, y: 16, transform: 'rotate(-90)', 'text-anchor': 'middle', fill: '#111111' },
      label(axis.label, Math.abs(y1 - y0)),
    ),
  );
  return el('g', { class: 'y-axis' }, parts);
}

/** The x axis line, numeric ticks and the x title (for line charts). */
export function xAxis(scale: Scale, axis: AxisSpec, x0: number, x1: number, y: number): string {
  const parts: string[] = [
    el('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: '#555555', 'stroke-width': 1 }),
  ];
  for (const t of scale.ticks) {
    const x = scale.map(t);
    parts.push(el('line', { x1: x, x2: x, y1: y, y2: y + 5, stroke: '#555555', 'stroke-width': 1 }));
    parts.push(
      el('text', { x, y: y + 18, 'text-anchor': 'middle', fill: '#333333' }, esc(formatHuman(t, axis.unit))),
    );
  }
  parts.push(
    el(
      'text',
      { x: (x0 + x1) / 2, y: y + 38, 'text-anchor': 'middle', fill: '#111111' },
      label(axis.label, x1 - x0),
    ),
  );
  return el('g', { class: 'x-axis' }, parts);
}

/** One legend entry: series name and style. */
export interface LegendItem {
  readonly name: string;
  readonly style: SeriesStyle;
  /** Draw a line sample (line charts) or a filled box (bar charts). */
  readonly kind: 'line' | 'bar';
}

/** The legend as a grid of equal columns under the plot; returns its markup and height. */
export function legend(
  items: readonly LegendItem[],
  x0: number,
  width: number,
  y: number,
): { markup: string; height: number } {
  if (items.length === 0) return { markup: '', height: 0 };
  const rowH = 18;
  const maxLabel = 220;
  const colW = Math.min(
    width,
    Math.max(...items.map((it) => 34 + textWidth(fitText(visible(it.name), maxLabel)) + 16)),
  );
  const perRow = Math.max(1, Math.floor(width / colW));
  const parts = items.map((item, k) => {
    const x = x0 + (k % perRow) * colW;
    const cy = y + Math.floor(k / perRow) * rowH + 9;
    const sample =
      item.kind === 'line'
        ? el('line', {
            x1: x,
            x2: x + 26,
            y1: cy,
            y2: cy,
            stroke: item.style.color,
            'stroke-width': 2,
            'stroke-dasharray': item.style.dash,
          }) + markerAt(item.style.marker, x + 13, cy, item.style.color)
        : el('rect', { x: x + 6, y: cy - 6, width: 14, height: 12, fill: item.style.color });
    return el('g', {}, [
      el('title', {}, esc(item.name)),
      sample,
      el('text', { x: x + 32, y: cy + 4, fill: '#111111' }, label(item.name, maxLabel)),
    ]);
  });
  const rows = Math.ceil(items.length / perRow);
  return { markup: el('g', { class: 'legend' }, parts), height: rows * rowH + 6 };
}

/** A centred "no data" message in the plot area. */
export function noData(x0: number, x1: number, y0: number, y1: number): string {
  return el(
    'text',
    { x: (x0 + x1) / 2, y: (y0 + y1) / 2, 'text-anchor': 'middle', fill: '#777777' },
    'no data',
  );
}
