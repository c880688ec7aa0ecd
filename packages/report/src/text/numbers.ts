/**
 * Number formatting shared by the renderers. Locale-independent (never toLocaleString) so the
 * same document renders byte-identically on every machine.
 */

/** The quantity a number measures; decides how it is written. */
export type Unit =
  | 'count'
  | 'ns'
  | 'bytes'
  | 'per_sec'
  | 'percent'
  | 'fraction'
  | 'cost'
  | 'cpus'
  /** A quotient of two like figures, shown as a multiple (0.93×). */
  | 'ratio'
  | 'plain';

/** Trims trailing zeros of a fixed/precision string ("1.50" → "1.5", "2.00" → "2"). */
function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** Normalises −0 to 0 so it never prints as "-0". */
function noNegZero(v: number): number {
  return Object.is(v, -0) ? 0 : v;
}

/** `v` with `digits` significant digits, trailing zeros trimmed (1234.5 → "1235", 0.012345 → "0.0123"). */
export function significant(v: number, digits = 3): string {
  v = noNegZero(v);
  if (v === 0) return '0';
  if (Math.abs(v) >= 10 ** digits) return Math.round(v).toString();
  return trimZeros(v.toPrecision(digits));
}

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'] as const;

/**
 * Decimal SI prefixes, 3 significant digits, a space before the prefix: 950 → "950",
 * 130000 → "130 k", 7430000 → "7.43 M".
 */
export function formatSi(v: number, digits = 3): string {
  v = noNegZero(v);
  let i = 0;
  let x = Math.abs(v);
  while (x >= 999.5 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  const sign = v < 0 ? '-' : '';
  const body = significant(x, digits);
  // Rounding can reach 1000 (999.7 → "1000"): step up one prefix.
  if (body === '1000' && i < SI.length - 1) return `${sign}1 ${SI[i + 1]}`;
  return i === 0 ? `${sign}${body}` : `${sign}${body} ${SI[i]}`;
}

/** Nanoseconds in the largest unit that keeps the figure ≥ 1: 52.1 ns, 1.52 µs, 3.1 ms, 2 s. */
export function formatNs(ns: number, digits = 3): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return `${significant(ns / 1e9, digits)} s`;
  if (a >= 1e6) return `${significant(ns / 1e6, digits)} ms`;
  if (a >= 1e3) return `${significant(ns / 1e3, digits)} µs`;
  return `${significant(ns, digits)} ns`;
}

/** Bytes in binary units: 200 B, 1.5 KiB, 3 MiB. */
export function formatBytes(b: number, digits = 3): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = Math.abs(b);
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${b < 0 ? '-' : ''}${significant(x, digits)} ${units[i]}`;
}

/** An integer with comma thousands separators (11846569 → "11,846,569"). */
export function groupThousands(v: number): string {
  v = noNegZero(Math.round(v));
  const s = Math.abs(v).toString();
  if (s.includes('e')) return v.toString();
  return (v < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A human-readable figure for tables and chart ticks in the markup formats: k/M prefixes for
 * counts and rates, time units for ns, binary units for bytes, % for fractions and percents.
 */
export function formatHuman(v: number, unit: Unit, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 'ns':
      return formatNs(v, digits);
    case 'bytes':
      return formatBytes(v, digits);
    case 'fraction':
      return `${significant(v * 100, digits)}%`;
    case 'percent':
      return `${significant(v, digits)}%`;
    case 'cpus':
      return groupThousands(v);
    case 'count':
      return Number.isInteger(v) && Math.abs(v) < 1e6 ? groupThousands(v) : formatSi(v, digits);
    case 'per_sec':
    case 'cost':
      return formatSi(v, digits);
    case 'ratio':
      return `${significant(v, digits)}×`;
    case 'plain':
      return significant(v, Math.max(6, digits));
  }
}

/**
 * A figure for fixed-width plain text in the kernel cover-letter manner: integers as digits,
 * other values with the column's decimals; rates and cost units with SI prefixes as in the other
 * formats (7.43 M), because a column of 8-digit figures with a decimal is unreadable.
 */
export function formatFixed(v: number, unit: Unit, decimals?: number): string {
  if (!Number.isFinite(v)) return String(v);
  v = noNegZero(v);
  if (unit === 'per_sec' || unit === 'cost') return formatSi(v);
  if (unit === 'fraction') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'percent') return `${v.toFixed(2)}%`;
  if (unit === 'ratio') return `${v.toFixed(decimals ?? 2)}×`;
  if (unit === 'count' && Number.isInteger(v)) return groupThousands(v);
  if ((unit === 'cpus' || unit === 'bytes') && Number.isInteger(v)) return v.toString();
  if (decimals !== undefined) return v.toFixed(decimals);
  const a = Math.abs(v);
  if (a === 0) return '0.0';
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return trimZeros(v.toPrecision(3));
}

/**
 * Decimals that suit a whole column of figures in fixed-width text (so decimal points line up):
 * 1 when the largest magnitude is ≥ 100, 2 when ≥ 1, else 4; 2 for ratios; for `plain` figures, as many as the
 * most precise value has (at most 4).
 */
export function columnDecimals(values: readonly number[], unit?: Unit): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (unit === 'ratio') return 2;
  if (unit === 'plain') {
    // Figures quoted from elsewhere (published values, ratios) keep every decimal they have.
    const need = (v: number) => {
      const s = significant(v, 6);
      return s.includes('.') && !s.includes('e') ? s.length - s.indexOf('.') - 1 : 0;
    };
    return Math.min(4, Math.max(0, ...finite.map(need)));
  }
  const max = finite.length === 0 ? 0 : Math.max(...finite.map(Math.abs));
  return max >= 100 ? 1 : max >= 1 ? 2 : 4;
}

/** A relative change as "+68.99%" / "-7.29%" (two decimals); null when the base is zero. */
export function formatChange(value: number, base: number): string | null {
  if (base === 0 || !Number.isFinite(value) || !Number.isFinite(base)) return null;
  const pct = noNegZero(Number((((value - base) / Math.abs(base)) * 100).toFixed(2)));
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%`;
}
