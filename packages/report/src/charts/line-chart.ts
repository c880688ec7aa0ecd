/**
 * Line charts: one line per series, markers at the points, optional error bars, a log2 or linear
 * x axis and a linear or log10 y axis. Deterministic: the same spec gives the same markup.
 */
import { formatHuman } from '../text/numbers.js';
import {
  type AxisSpec,
  checkId,
  LAYOUT,
  legend,
  noData,
  plotTop,
  svgDocument,
  xAxis,
  yAxis,
} from './frame.js';
import { makeScale, type ScaleKind } from './scale.js';
import { markerAt, seriesStyle } from './style.js';
import { el, esc, num } from './svg.js';

/** One point; `low`/`high` draw an error bar (a confidence interval, or p50..p99). */
export interface LinePoint {
  readonly x: number;
  readonly y: number;
  readonly low?: number;
  readonly high?: number;
}

/** A named line. */
export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
}

/** Everything a line chart shows. */
export interface LineChartSpec {
  /** Unique within the page that embeds the chart: [A-Za-z][A-Za-z0-9_-]*. */
  readonly id: string;
  readonly title: string;
  /** Extra sentence for the accessible description. */
  readonly description?: string;
  readonly x: AxisSpec & { readonly scale: 'linear' | 'log2' };
  readonly y: AxisSpec & { readonly scale: 'linear' | 'log10' };
  readonly series: readonly LineSeries[];
}

function usable(p: LinePoint, xKind: ScaleKind, yKind: ScaleKind): boolean {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return false;
  if (xKind !== 'linear' && p.x <= 0) return false;
  return !(yKind !== 'linear' && p.y <= 0);
}

/**
 * The chart as a standalone SVG document (valid XML, usable inline in HTML). Points that a log
 * axis cannot show (≤ 0) or that are not finite are left out and counted in the description.
 * O(points · log points).
 */
export function lineChart(spec: LineChartSpec): string {
  checkId(spec.id);
  const { width, left, right, plotHeight, axisGap } = LAYOUT;
  const top = plotTop(spec.title, width);
  const x0 = left;
  const x1 = width - right;
  const y0 = top + plotHeight;
  const y1 = top;
  let dropped = 0;
  const series = spec.series.map((s) => {
    const pts = s.points.filter((p) => usable(p, spec.x.scale, spec.y.scale));
    dropped += s.points.length - pts.length;
    return { name: s.name, points: [...pts].sort((a, b) => a.x - b.x) };
  });
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]);
  const inset = 12;
  const xScale = makeScale(spec.x.scale, xs, x0 + inset, x1 - inset, { dataTicks: xs, minTickGap: 28 });
  const yScale = makeScale(spec.y.scale, ys, y0, y1, { includeZero: spec.y.scale === 'linear' });

  const body: string[] = [];
  body.push(yAxis(yScale, spec.y, x0, x1, y0, y1));
  body.push(xAxis(xScale, spec.x, x0, x1, y0));
  if (all.length === 0) body.push(noData(x0, x1, y0, y1));
  series.forEach((s, i) => {
    const style = seriesStyle(i);
    const parts: string[] = [el('title', {}, esc(s.name))];
    if (s.points.length > 1) {
      const d = s.points
        .map((p, k) => `${k === 0 ? 'M' : 'L'}${num(xScale.map(p.x))} ${num(yScale.map(p.y))}`)
        .join('');
      parts.push(
        el('path', {
          d,
          fill: 'none',
          stroke: style.color,
          'stroke-width': 2,
          'stroke-dasharray': style.dash,
        }),
      );
    }
    for (const p of s.points) {
      const px = xScale.map(p.x);
      if (p.low !== undefined || p.high !== undefined) {
        const lo = yScale.map(p.low ?? p.y);
        const hi = yScale.map(p.high ?? p.y);
        parts.push(
          el('path', {
            d: `M${num(px)} ${num(lo)}L${num(px)} ${num(hi)}M${num(px - 4)} ${num(lo)}L${num(px + 4)} ${num(lo)}M${num(px - 4)} ${num(hi)}L${num(px + 4)} ${num(hi)}`,
            stroke: style.color,
            'stroke-width': 1,
            fill: 'none',
          }),
        );
      }
      const range =
        p.low !== undefined || p.high !== undefined
          ? ` (${formatHuman(p.low ?? p.y, spec.y.unit)} to ${formatHuman(p.high ?? p.y, spec.y.unit)})`
          : '';
      const tip = `${s.name}: ${spec.x.label} ${formatHuman(p.x, spec.x.unit)}, ${spec.y.label} ${formatHuman(p.y, spec.y.unit)}${range}`;
      parts.push(markerAt(style.marker, px, yScale.map(p.y), style.color, el('title', {}, esc(tip))));
    }
    body.push(el('g', { class: 'series' }, parts));
  });
  const leg = legend(
    series.map((s, i) => ({ name: s.name, style: seriesStyle(i), kind: 'line' as const })),
    x0,
    x1 - x0,
    y0 + axisGap + 4,
  );
  body.push(leg.markup);
  const height = y0 + axisGap + 8 + leg.height;
  const desc = [
    `Line chart. X axis: ${spec.x.label} (${spec.x.scale} scale). Y axis: ${spec.y.label} (${spec.y.scale} scale).`,
    `${series.length} series: ${series.map((s) => s.name).join(', ')}.`,
    dropped > 0 ? `${dropped} point(s) not shown (not finite or not positive on a log axis).` : '',
    spec.description ?? '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return svgDocument(spec.id, width, height, spec.title, desc, body.join(''));
}
