/**
 * Series styles: the Okabe–Ito colour-blind-safe palette, combined with dash patterns and marker
 * shapes so series stay distinguishable in greyscale and for readers who cannot tell colours apart.
 */
import { el, num as f } from './svg.js';

const COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#999933',
] as const;
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3'] as const;

/** Marker shapes. */
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'cross'];

/** How series `i` is drawn. */
export interface SeriesStyle {
  readonly color: string;
  readonly dash: string | undefined;
  readonly marker: Marker;
}

/** The style of the i-th series (deterministic; combinations repeat only after 40 series). */
export function seriesStyle(i: number): SeriesStyle {
  return {
    color: COLORS[i % COLORS.length]!,
    dash: DASHES[(i + Math.floor(i / COLORS.length)) % DASHES.length],
    marker: MARKERS[i % MARKERS.length]!,
  };
}

/** A marker centred on (x, y); `title` markup (already escaped) is put inside for tooltips. */
export function markerAt(shape: Marker, x: number, y: number, color: string, title = ''): string {
  const r = 3.5;
  const common = { fill: color, stroke: '#fff', 'stroke-width': 0.75 };
  switch (shape) {
    case 'circle':
      return el('circle', { cx: x, cy: y, r, ...common }, title);
    case 'square':
      return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...common }, title);
    case 'triangle':
      return el(
        'path',
        {
          d: `M${f(x)} ${f(y - r - 0.5)}L${f(x + r + 0.5)} ${f(y + r)}L${f(x - r - 0.5)} ${f(y + r)}Z`,
          ...common,
        },
        title,
      );
    case 'diamond':
      return el(
        'path',
        {
          d: `M${f(x)} ${f(y - r - 1)}L${f(x + r + 1)} ${f(y)}L${f(x)} ${f(y + r + 1)}L${f(x - r - 1)} ${f(y)}Z`,
          ...common,
        },
        title,
      );
    case 'cross':
      return el(
        'path',
        {
          d: `M${f(x - r)} ${f(y - r)}L${f(x + r)} ${f(y + r)}M${f(x - r)} ${f(y + r)}L${f(x + r)} ${f(y - r)}`,
          stroke: color,
          'stroke-width': 2,
          fill: 'none',
        },
        title,
      );
  }
}
