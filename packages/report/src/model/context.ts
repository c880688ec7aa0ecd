/**
 * State shared by the section builders while one report is built: the chart counter that gives
 * every chart a unique XML id and file name, so the output is deterministic.
 */
import type { ChartBlock } from './types.js';

/** Numbering of charts within one report. */
export class BuildContext {
  private next = 1;

  /** A chart block: `make` receives the id to use; the file is `charts/NN-<slug>.svg`. */
  chart(slug: string, title: string, make: (id: string) => string): ChartBlock {
    if (!/^[a-z0-9-]+$/.test(slug)) throw new Error(`chart slug must be [a-z0-9-]+ (${slug})`);
    const n = this.next++;
    const id = `chart-${n}`;
    return { kind: 'chart', file: `charts/${String(n).padStart(2, '0')}-${slug}.svg`, title, svg: make(id) };
  }
}
