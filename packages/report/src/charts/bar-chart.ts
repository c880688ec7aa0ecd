/**
 * Grouped bar charts: categories along x, one bar per series in each category, optional error
 * bars (p99 above a median, or a confidence interval), linear or log10 y.
 */
import { formatHuman } from '../text/numbers.js';
import { type AxisSpec, checkId, LAYOUT, legend, noData, plotTop, svgDocument, yAxis } from './frame.js';
import { makeScale } from './scale.js';
import { seriesStyle } from './style.js';
import { el, esc, label, num } from './svg.js';

/** One bar; `low`/`high` draw an error bar. */
export interface BarValue {
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
}

/** A series: one value (or null for none) per group, in group order. */
export interface BarSeries {
  readonly name: string;
  readonly values: readonly (BarValue | null)[];
}

/** Everything a grouped bar chart shows. */
export interface BarChartSpec {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  /** Category names along the x axis. */
  readonly groups: readonly string[];
  readonly xLabel: string;
  readonly y: AxisSpec & { readonly scale: 'linear' | 'log10' };
  readonly series: readonly BarSeries[];
}

/**
 * The chart as a standalone SVG document (valid XML, usable inline in HTML). Values a log axis
 * cannot show are left out and counted in the description. O(groups · series).
 * @throws Error when a series has a different number of values than there are groups.
 */
export function groupedBarChart(spec: BarChartSpec): string {
  checkId(spec.id);
  for (const s of spec.series)
    if (s.values.length !== spec.groups.length)
      throw new Error(
        `bar chart ${spec.id}: series has ${s.values.length} values for ${spec.groups.length} groups`,
      );
  const { width, left, right, plotHeight, axisGap } = LAYOUT;
  const top = plotTop(spec.title, width);
  const x0 = left;
  const x1 = width - right;
  const y0 = top + plotHeight;
  const y1 = top;
  const log = spec.y.scale === 'log10';
  let dropped = 0;
  const shown = (v: BarValue | null): v is BarValue => {
    if (v === null) return false;
    const ok = Number.isFinite(v.value) && (!log || v.value > 0);
    if (!ok) dropped++;
    return ok;
  };
  const values = spec.series.map((s) => s.values.map((v) => (shown(v) ? v : null)));
  const ys = values.flat().flatMap((v) => (v === null ? [] : [v.value, v.low ?? v.value, v.high ?? v.value]));
  const yScale = makeScale(spec.y.scale, ys, y0, y1, { includeZero: !log });
  const base = log ? y0 : yScale.map(0);

  const groups = spec.groups.length;
  const band = groups > 0 ? (x1 - x0) / groups : x1 - x0;
  const rotate = band < 72;
  const nSeries = Math.max(1, spec.series.length);
  const barW = Math.min(48, (band * 0.8) / nSeries);
  const groupPad = (band - barW * nSeries) / 2;
  const body: string[] = [yAxis(yScale, spec.y, x0, x1, y0, y1)];
  body.push(el('line', { x1: x0, x2: x1, y1: base, y2: base, stroke: '#555555', 'stroke-width': 1 }));
  if (ys.length === 0) body.push(noData(x0, x1, y0, y1));

  spec.series.forEach((s, si) => {
    const style = seriesStyle(si);
    const parts: string[] = [el('title', {}, esc(s.name))];
    values[si]!.forEach((v, gi) => {
      if (v === null) return;
      const bx = x0 + gi * band + groupPad + si * barW;
      const yTop = yScale.map(v.value);
      const range =
        v.low !== undefined || v.high !== undefined
          ? ` (${formatHuman(v.low ?? v.value, spec.y.unit)} to ${formatHuman(v.high ?? v.value, spec.y.unit)})`
          : '';
      const tip = `${s.name}, ${spec.groups[gi]}: ${formatHuman(v.value, spec.y.unit)}${range}`;
      parts.push(
        el(
          'rect',
          {
            x: bx,
            y: Math.min(yTop, base),
            width: Math.max(1, barW - 1),
            height: Math.max(0.5, Math.abs(base - yTop)),
            fill: style.color,
          },
          el('title', {}, esc(tip)),
        ),
      );
      if (v.low !== undefined || v.high !== undefined) {
        const cx = bx + barW / 2 - 0.5;
        const lo = yScale.map(v.low ?? v.value);
        const hi = yScale.map(v.high ?? v.value);
        const cap = Math.min(4, barW / 3);
        parts.push(
          el('path', {
            d: `M${num(cx)} ${num(lo)}L${num(cx)} ${num(hi)}M${num(cx - cap)} ${num(hi)}L${num(cx + cap)} ${num(hi)}M${num(cx - cap)} ${num(lo)}L${num(cx + cap)} ${num(lo)}`,
            stroke: '#222222',
            'stroke-width': 1,
            fill: 'none',
          }),
        );
      }
    });
    body.push(el('g', { class: 'series' }, parts));
  });

  const labels: string[] = [];
  spec.groups.forEach((g, gi) => {
    const cx = x0 + gi * band + band / 2;
    const text = rotate ? label(g, 90) : label(g, band - 4);
    const attrs = rotate
      ? {
          x: cx,
          y: y0 + 14,
          'text-anchor': 'end',
          transform: `rotate(-35 ${num(cx)} ${num(y0 + 14)})`,
          fill: '#333333',
        }
      : { x: cx, y: y0 + 18, 'text-anchor': 'middle', fill: '#333333' };
    labels.push(el('g', {}, [el('title', {}, esc(g)), el('text', attrs, text)]));
  });
  const labelDepth = rotate ? 62 : 22;
  labels.push(
    el(
      'text',
      { x: (x0 + x1) / 2, y: y0 + labelDepth + 16, 'text-anchor': 'middle', fill: '#111111' },
      label(spec.xLabel, x1 - x0),
    ),
  );
  body.push(el('g', { class: 'x-axis' }, labels));
  const legendTop = y0 + labelDepth + axisGap - 18;
  const leg = legend(
    spec.series.map((s, i) => ({ name: s.name, style: seriesStyle(i), kind: 'bar' as const })),
    x0,
    x1 - x0,
    legendTop,
  );
  body.push(leg.markup);
  const height = legendTop + leg.height + 8;
  const desc = [
    `Grouped bar chart. Groups (${spec.xLabel}): ${spec.groups.join(', ')}. Y axis: ${spec.y.label} (${spec.y.scale} scale).`,
    `${spec.series.length} series: ${spec.series.map((s) => s.name).join(', ')}.`,
    dropped > 0 ? `${dropped} value(s) not shown (not finite or not positive on a log axis).` : '',
    spec.description ?? '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return svgDocument(spec.id, width, height, spec.title, desc, body.join(''));
}
