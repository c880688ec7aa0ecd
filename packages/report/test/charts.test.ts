import { describe, expect, it } from 'vitest';
import { linearTicks, makeScale } from '../src/charts/scale.js';
import { num } from '../src/charts/svg.js';
import { groupedBarChart, lineChart } from '../src/index.js';
import {
  columnDecimals,
  formatBytes,
  formatChange,
  formatFixed,
  formatHuman,
  formatNs,
  formatSi,
} from '../src/text/numbers.js';
import { visible } from '../src/text/visible.js';
import { HOSTILE } from './support/hostile.js';
import { findAll, parseXml, textContent, XmlError } from './support/xml.js';

const line = (names: readonly string[] = ['mmap-lock', 'per-vma-lock']) =>
  lineChart({
    id: 'c1',
    title: 'page_fault1: faults/s vs CPUs',
    x: { label: 'simulated CPUs', unit: 'cpus', scale: 'log2' },
    y: { label: 'faults per second', unit: 'per_sec', scale: 'linear' },
    series: names.map((name, i) => ({
      name,
      points: [1, 2, 4, 8, 16, 48].map((x) => ({
        x,
        y: 1.15e6 * x ** (0.5 + i * 0.4),
        low: 1e6 * x ** 0.5,
        high: 1.3e6 * x ** 0.9,
      })),
    })),
  });

const bars = (
  names: readonly string[] = ['rbtree', 'maple'],
  groups: readonly string[] = ['64 VMAs', '1,000 VMAs'],
) =>
  groupedBarChart({
    id: 'c2',
    title: 'find latency',
    groups,
    xLabel: 'VMAs',
    y: { label: 'ns per operation', unit: 'ns', scale: 'log10' },
    series: names.map((name, i) => ({
      name,
      values: groups.map((_, g) => (g === 1 && i === 1 ? null : { value: 40 + 10 * g + i, high: 120 + g })),
    })),
  });

describe('the XML checker (test oracle)', () => {
  it('accepts well-formed documents and rejects the classic mistakes', () => {
    expect(parseXml('<a x="1"><b/>t&amp;<c y=\'&lt;\'/></a>').name).toBe('a');
    for (const bad of [
      '<a><b></a></b>',
      '<a x=1/>',
      '<a x="1" x="2"/>',
      '<a>&nbsp;</a>',
      '<a>x & y</a>',
      '<a x="<"/>',
      '<a/><b/>',
      '<a>\u0007</a>',
      '<a>&#0;</a>',
      '<a>',
      '<a>]]></a>',
    ])
      expect(() => parseXml(bad), bad).toThrow(XmlError);
  });
});

describe('line chart', () => {
  it('is well-formed, accessible SVG with a legend entry per series', () => {
    const svg = line();
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.get('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.get('role')).toBe('img');
    expect(root.attrs.get('aria-labelledby')).toBe('c1-title c1-desc');
    const title = findAll(root, 'title').find((t) => t.attrs.get('id') === 'c1-title')!;
    expect(textContent(title)).toBe('page_fault1: faults/s vs CPUs');
    const desc = textContent(findAll(root, 'desc')[0]!);
    expect(desc).toContain('X axis: simulated CPUs (log2 scale)');
    expect(desc).toContain('2 series: mmap-lock, per-vma-lock');
    const legend = findAll(root, 'g').find((g) => g.attrs.get('class') === 'legend')!;
    expect(findAll(legend, 'text').map(textContent)).toEqual(['mmap-lock', 'per-vma-lock']);
  });

  it('puts x ticks on the CPU counts (log2) and y ticks in human units', () => {
    const root = parseXml(line());
    const xAxis = findAll(root, 'g').find((g) => g.attrs.get('class') === 'x-axis')!;
    expect(findAll(xAxis, 'text').map(textContent)).toEqual([
      '1',
      '2',
      '4',
      '8',
      '16',
      '48',
      'simulated CPUs',
    ]);
    const yAxis = findAll(root, 'g').find((g) => g.attrs.get('class') === 'y-axis')!;
    const labels = findAll(yAxis, 'text').map(textContent);
    expect(labels[0]).toBe('0');
    expect(labels.some((l) => /^\d+(\.\d+)? M$/.test(l))).toBe(true);
  });

  it('is deterministic', () => {
    expect(line()).toBe(line());
  });

  it('leaves out points a log axis cannot show and says so', () => {
    const svg = lineChart({
      id: 'c3',
      title: 't',
      x: { label: 'x', unit: 'count', scale: 'log2' },
      y: { label: 'y', unit: 'count', scale: 'log10' },
      series: [
        {
          name: 's',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 0 },
            { x: 2, y: 10 },
            { x: 4, y: Number.NaN },
          ],
        },
      ],
    });
    expect(textContent(findAll(parseXml(svg), 'desc')[0]!)).toContain('3 point(s) not shown');
  });

  it('draws an empty frame with "no data" for no points', () => {
    const svg = lineChart({
      id: 'c4',
      title: 'empty',
      x: { label: 'x', unit: 'cpus', scale: 'linear' },
      y: { label: 'y', unit: 'count', scale: 'linear' },
      series: [],
    });
    expect(findAll(parseXml(svg), 'text').map(textContent)).toContain('no data');
  });

  it('refuses ids that are not XML-safe', () => {
    expect(() =>
      lineChart({
        id: 'a b',
        title: '',
        x: { label: '', unit: 'count', scale: 'linear' },
        y: { label: '', unit: 'count', scale: 'linear' },
        series: [],
      }),
    ).toThrow(/chart id/);
  });
});

describe('grouped bar chart', () => {
  it('is well-formed with one rect per present value and error bars', () => {
    const root = parseXml(bars());
    const series = findAll(root, 'g').filter((g) => g.attrs.get('class') === 'series');
    expect(series.map((s) => findAll(s, 'rect').length)).toEqual([2, 1]);
    expect(series.map((s) => findAll(s, 'path').length)).toEqual([2, 1]);
    const tips = series.flatMap((s) => findAll(s, 'rect')).map((r) => textContent(findAll(r, 'title')[0]!));
    expect(tips[0]).toBe('rbtree, 64 VMAs: 40 ns (40 ns to 120 ns)');
    expect(bars()).toBe(bars());
  });

  it('rotates long group labels and keeps the full name in a <title>', () => {
    const groups = Array.from({ length: 12 }, (_, i) => `capture:some-long-folder-name-${i}/start`);
    const root = parseXml(bars(['a'], groups));
    const xAxis = findAll(root, 'g').find((g) => g.attrs.get('class') === 'x-axis')!;
    const first = findAll(xAxis, 'g')[0]!;
    expect(textContent(findAll(first, 'title')[0]!)).toBe(groups[0]);
    expect(findAll(first, 'text')[0]!.attrs.get('transform')).toMatch(/^rotate\(-35 /);
  });

  it('refuses a series whose values do not match the groups', () => {
    expect(() =>
      groupedBarChart({
        id: 'x',
        title: '',
        groups: ['a'],
        xLabel: '',
        y: { label: '', unit: 'count', scale: 'linear' },
        series: [{ name: 's', values: [] }],
      }),
    ).toThrow(/0 values for 1 groups/);
  });

  it('handles negative values on a linear axis (bars hang from zero)', () => {
    const svg = groupedBarChart({
      id: 'neg',
      title: 'change',
      groups: ['a', 'b'],
      xLabel: 'g',
      y: { label: '%', unit: 'percent', scale: 'linear' },
      series: [{ name: 's', values: [{ value: -45 }, { value: 30 }] }],
    });
    const rects = findAll(parseXml(svg), 'rect').filter((r) => r.children.length > 0);
    const [neg, pos] = rects.map((r) => ({ y: Number(r.attrs.get('y')), h: Number(r.attrs.get('height')) }));
    expect(neg!.y).toBeGreaterThan(pos!.y + pos!.h - 0.01); // the negative bar starts at the zero line
  });
});

describe('hostile names in charts', () => {
  it('stay text: well-formed XML, no injected elements, names shown visibly', () => {
    const svgs = [line(HOSTILE), bars(HOSTILE)];
    for (const svg of svgs) {
      const root = parseXml(svg);
      const all: string[] = [];
      const walk = (e: ReturnType<typeof parseXml>) => {
        all.push(e.name);
        for (const a of e.attrs.keys()) expect(a.startsWith('on'), a).toBe(false);
        for (const c of e.children) if (typeof c !== 'string') walk(c);
      };
      walk(root);
      expect(all).not.toContain('script');
      expect(all).not.toContain('img');
      expect(all).not.toContain('foreignObject');
      // Each series' group <title> carries its full name, made visible.
      const titles = findAll(root, 'g')
        .filter((g) => g.attrs.get('class') === 'series')
        .map((g) => textContent(g.children[0] as ReturnType<typeof parseXml>));
      expect(titles).toEqual(HOSTILE.map(visible));
    }
  });
});

describe('scales', () => {
  it('linear ticks are nice and cover the data', () => {
    expect(linearTicks(0, 3.82e6)).toEqual({ domain: [0, 4e6], ticks: [0, 1e6, 2e6, 3e6, 4e6] });
    expect(linearTicks(0, 0.3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
    expect(linearTicks(-45, 30).ticks).toEqual([-60, -40, -20, 0, 20, 40]);
    expect(linearTicks(5, 5).domain[0]).toBeLessThan(5);
  });

  it('log10 ticks on decades, log2 on the data when they fit', () => {
    expect(makeScale('log10', [3, 700], 0, 100).ticks).toEqual([1, 10, 100, 1000]);
    expect(makeScale('log10', [30, 70], 0, 100).ticks).toEqual([10, 20, 50, 100]);
    const s = makeScale('log2', [1, 2, 4, 24, 48], 0, 600, { dataTicks: [1, 2, 4, 24, 48], minTickGap: 24 });
    expect(s.ticks).toEqual([1, 2, 4, 24, 48]);
    expect(s.map(1)).toBe(0);
    expect(s.map(48)).toBeCloseTo(600, 10);
    const crowded = makeScale('log2', [46, 47, 48], 0, 600, { dataTicks: [46, 47, 48], minTickGap: 24 });
    expect(crowded.ticks.length).toBeGreaterThan(0);
  });

  it('svg coordinates have at most two decimals and never -0', () => {
    expect(num(-0.0001)).toBe('0');
    expect(num(1.005)).toBe('1');
    expect(num(12.3456)).toBe('12.35');
    expect(() => num(Number.NaN)).toThrow(/non-finite/);
  });
});

describe('number formatting', () => {
  it('human units', () => {
    expect(formatSi(3821000)).toBe('3.82 M');
    expect(formatSi(999.7)).toBe('1 k');
    expect(formatSi(950)).toBe('950');
    expect(formatSi(-1500)).toBe('-1.5 k');
    expect(formatSi(130000)).toBe('130 k');
    expect(formatNs(52.1)).toBe('52.1 ns');
    expect(formatNs(1520)).toBe('1.52 µs');
    expect(formatNs(3.1e6)).toBe('3.1 ms');
    expect(formatBytes(200)).toBe('200 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatHuman(0.125, 'fraction')).toBe('12.5%');
    expect(formatHuman(11846569, 'count')).toBe('11.8 M');
    expect(formatHuman(957702, 'count')).toBe('957,702');
    expect(formatHuman(-0, 'plain')).toBe('0');
  });

  it('cover-letter figures', () => {
    expect(formatFixed(3821000, 'per_sec')).toBe('3.82 M');
    expect(formatFixed(6457000, 'per_sec')).toBe('6.46 M');
    expect(formatChange(6457000, 3821000)).toBe('+68.99%');
    expect(formatChange(3821000, 6457000)).toBe('-40.82%');
    expect(formatChange(1, 0)).toBeNull();
    expect(formatFixed(57500, 'count')).toBe('57,500');
    expect(formatFixed(0.1234, 'fraction')).toBe('12.34%');
    expect(formatFixed(2, 'plain', 2)).toBe('2.00');
    // A column lines up its decimals; quoted figures keep theirs.
    expect(columnDecimals([1150000, 35294117.6], 'per_sec')).toBe(1);
    expect(columnDecimals([0.25, 0.5], 'cost')).toBe(4);
    expect(columnDecimals([75, 100.69, 84.46], 'plain')).toBe(2);
  });
});
