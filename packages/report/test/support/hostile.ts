/**
 * Names as hostile as user traces can make them, and a results document that carries them in
 * every name field, for the escaping tests of every output format.
 */
import type { ResultsDocument } from '../../src/index.js';
import { sampleResults } from '../fixtures/sample.js';

/** Strings that break naive escaping in at least one format. */
export const HOSTILE: readonly string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(2)">',
  '"double" & \'single\' quotes',
  'pipe|in||name',
  '`tick` **bold** _em_ [link](javascript:alert(3)) ~~del~~ $x^2$',
  'new\nline\r\nand\ttab',
  '\u0000nul \u0007bell \u001b[31mred\u001b[0m \u007fdel \u0085nel',
  'bidi \u202eevil\u202c \u2066iso\u2069 zero\u200bwidth \ufeffbom',
  'lone \ud800 surrogate and \ufffe\uffff nonchars',
  ']]> <!-- comment --> <![CDATA[x]]> &amp; &#60; &lt;',
  '\\ backslash \\| \\n literal',
  '# heading-like',
  '- list-like',
  '1. ordered-like',
  '🧪 emoji and 漢字 wide',
  `long-${'x'.repeat(5000)}`,
];

/** The hostile string `i`, made unique so cells do not collide. */
function h(i: number, tag: string): string {
  return `${HOSTILE[i % HOSTILE.length]}#${tag}`;
}

/** The sample document with every name replaced by hostile strings. */
export function hostileResults(): ResultsDocument {
  const s = sampleResults();
  let k = 0;
  const next = (tag: string) => h(k++, tag);
  const captureName = new Map<string, string>();
  const strategyName = new Map<string, string>();
  const indexName = new Map<string, string>();
  const workloadName = new Map<string, string>();
  const rename = (m: Map<string, string>, v: string, tag: string) => {
    let r = m.get(v);
    if (r === undefined) {
      r = next(tag);
      m.set(v, r);
    }
    return r;
  };
  const st = (v: string) => rename(strategyName, v, 'strategy');
  const ix = (v: string) => rename(indexName, v, 'index');
  const wl = (v: string) => rename(workloadName, v, 'workload');
  const profile = next('profile');
  const layout = next('layout');
  return {
    schema_version: 3,
    metadata: {
      ...s.metadata,
      tool: { name: next('tool'), version: next('version') },
      environment: { ...s.metadata.environment, cpu_model: next('cpu'), kernel: next('kernel') },
      seeds: { [next('seed')]: 3 },
      options: { [next('option-key')]: next('option-value') },
      notes: [next('note'), next('note')],
      cells: undefined,
    },
    benchmarks: {
      runner: { name: next('runner'), version: '1', settings: { [next('setting')]: next('setting-value') } },
      rows: s
        .benchmarks!.rows.filter((r) => r.vmas === 1000 || r.vmas === 100)
        .map((r) => ({
          ...r,
          layout: r.vmas === 1000 ? layout : r.layout,
          index: ix(r.index),
          op: next('op'),
        })),
    },
    memory: {
      rows: s.memory!.rows.map((r, i) => ({ ...r, index: ix(r.index), ...(i % 2 === 0 ? { layout } : {}) })),
    },
    replay: {
      rows: s.replay!.rows.map((r) => ({
        ...r,
        capture: rename(captureName, r.capture, 'capture'),
        index: ix(r.index),
        strategy: r.strategy === null ? null : st(r.strategy),
        counters: { [next('counter')]: 5 },
      })),
    },
    scaling: {
      points: s.scaling!.points.map((p) => ({
        ...p,
        workload: wl(p.workload),
        profile,
        strategy: st(p.strategy),
        index: ix(p.index),
        abort_reasons: { [next('reason')]: 1 },
      })),
      violations: s.scaling!.violations.map((v) => ({
        ...v,
        workload: wl(v.workload),
        profile,
        strategy: st(v.strategy),
        index: ix(v.index),
        kind: next('kind'),
        detail: next('detail'),
      })),
    },
    bytes_copied: {
      rows: s.bytes_copied!.rows.map((r) => ({
        ...r,
        workload: wl(r.workload),
        strategy: st(r.strategy),
        index: ix(r.index),
      })),
    },
    published: {
      rows: s.published!.rows.map((r) => ({
        ...r,
        source: next('source'),
        citation: next('citation'),
        figure: next('figure'),
        metric: next('metric'),
        x_unit: next('xunit'),
        unit: next('unit'),
        note: next('note'),
      })),
    },
  };
}
