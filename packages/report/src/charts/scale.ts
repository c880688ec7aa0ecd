/**
 * Scales and tick positions. Linear axes get "nice" steps (1, 2, 5 × 10^k); log2 axes put ticks
 * on the data's own x values when they are few (CPU counts such as 1, 2, 4, 24, 48), else on
 * powers of two; log10 axes on powers of ten (with 2 and 5 when the range is narrow).
 */

/** How values map onto an axis. */
export type ScaleKind = 'linear' | 'log2' | 'log10';

/** A mapping from data values to pixels, with its tick values. */
export interface Scale {
  readonly kind: ScaleKind;
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  /** Pixel position of `v` (clamped to the domain for log scales' non-positive values). */
  map(v: number): number;
}

/** Rounds away binary noise from tick arithmetic (0.30000000000000004 → 0.3). */
function clean(v: number): number {
  const r = Number(v.toPrecision(12));
  return Object.is(r, -0) ? 0 : r;
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** A nice domain covering [min, max] and its ticks. */
export function linearTicks(
  min: number,
  max: number,
  target = 5,
): { domain: [number, number]; ticks: number[] } {
  if (min === max) {
    if (min === 0) return { domain: [0, 1], ticks: [0, 0.5, 1] };
    const pad = Math.abs(min) * 0.5;
    return linearTicks(min - pad, max + pad, target);
  }
  const step = niceStep(max - min, target);
  const lo = clean(Math.floor(min / step) * step);
  const hi = clean(Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = clean(lo + i * step);
    if (t > hi + step / 2) break;
    ticks.push(t);
  }
  return { domain: [lo, hi], ticks };
}

function logTicks(lo: number, hi: number, base: 2 | 10): number[] {
  const ticks: number[] = [];
  const e0 = Math.round(Math.log(lo) / Math.log(base));
  const e1 = Math.round(Math.log(hi) / Math.log(base));
  const stride = Math.max(1, Math.ceil((e1 - e0 + 1) / 9));
  for (let e = e0; e <= e1; e += stride) ticks.push(clean(base ** e));
  if (base === 10 && e1 - e0 <= 2) {
    const extra: number[] = [];
    for (let e = e0; e < e1; e++) for (const m of [2, 5]) extra.push(clean(m * 10 ** e));
    return [...ticks, ...extra].sort((a, b) => a - b);
  }
  return ticks;
}

/** Options for `makeScale`. */
export interface ScaleOptions {
  /** Include 0 in a linear domain (bar charts, rates). */
  readonly includeZero?: boolean;
  /** log2: put ticks on these data values when they fit (at least `minTickGap` pixels apart). */
  readonly dataTicks?: readonly number[];
  readonly minTickGap?: number;
}

/**
 * A scale of `kind` for `values` onto pixels [r0, r1] (r1 < r0 for a y axis). Non-positive values
 * are ignored by log scales. O(n log n).
 */
export function makeScale(
  kind: ScaleKind,
  values: readonly number[],
  r0: number,
  r1: number,
  opts: ScaleOptions = {},
): Scale {
  const finite = values.filter((v) => Number.isFinite(v));
  if (kind === 'linear') {
    let min = finite.length > 0 ? Math.min(...finite) : 0;
    let max = finite.length > 0 ? Math.max(...finite) : 1;
    if (opts.includeZero === true) {
      min = Math.min(min, 0);
      max = Math.max(max, 0);
    }
    const { domain, ticks } = linearTicks(min, max);
    const [d0, d1] = domain;
    return { kind, domain, ticks, map: (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0) };
  }
  const base = kind === 'log2' ? 2 : 10;
  const pos = finite.filter((v) => v > 0);
  let lo = pos.length > 0 ? Math.min(...pos) : 1;
  let hi = pos.length > 0 ? Math.max(...pos) : base;
  if (kind === 'log10') {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
  }
  if (lo === hi) {
    lo /= base;
    hi *= base;
  }
  const l0 = Math.log(lo);
  const l1 = Math.log(hi);
  const map = (v: number) => r0 + ((Math.log(Math.max(v, lo)) - l0) / (l1 - l0)) * (r1 - r0);
  let ticks: number[] =
    kind === 'log2'
      ? logTicks(2 ** Math.ceil(Math.log2(lo)), 2 ** Math.floor(Math.log2(hi)), 2)
      : logTicks(lo, hi, 10);
  if (kind === 'log2' && opts.dataTicks !== undefined) {
    const gap = opts.minTickGap ?? 24;
    const data = [...new Set(opts.dataTicks.filter((v) => v > 0 && Number.isFinite(v)))].sort(
      (a, b) => a - b,
    );
    const kept: number[] = [];
    for (const v of data) if (kept.length === 0 || Math.abs(map(v) - map(kept.at(-1)!)) >= gap) kept.push(v);
    if (kept.length >= 2 || ticks.length === 0) ticks = kept;
  }
  if (ticks.length === 0) ticks = [lo];
  return { kind, domain: [lo, hi], ticks, map };
}
