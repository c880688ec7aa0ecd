/**
 * Building the format-neutral report from a results document: the run section, then each section
 * the document has, in a fixed order. Sections the document lacks are left out (the run section
 * says which); an empty section says it is empty.
 */

import type { ResultsDocument } from '../schema/types.js';
import { assertResults } from '../schema/validate.js';
import { BuildContext } from './context.js';
import { benchmarksSection } from './sections/benchmarks.js';
import { bytesCopiedSection } from './sections/bytes-copied.js';
import { faultPathSection } from './sections/fault-path.js';
import { memorySection } from './sections/memory.js';
import { publishedSection } from './sections/published.js';
import { replaySection } from './sections/replay.js';
import { runSection } from './sections/run.js';
import { scalingSections } from './sections/scaling.js';
import type { ReportModel, Section } from './types.js';

/**
 * The report of `doc`. Deterministic: the same document gives an identical model (charts
 * included). O(rows · log rows) plus chart rendering.
 * @throws ResultsError when `doc` is not a valid results document.
 */
export function buildReport(doc: ResultsDocument): ReportModel {
  assertResults(doc, 'report input');
  const ctx = new BuildContext();
  const sections: Section[] = [runSection(doc)];
  if (doc.scaling !== undefined) sections.push(...scalingSections(doc.scaling, ctx));
  if (doc.bytes_copied !== undefined) sections.push(bytesCopiedSection(doc.bytes_copied, ctx));
  if (doc.fault_path !== undefined) sections.push(faultPathSection(doc.fault_path, ctx));
  if (doc.benchmarks !== undefined) sections.push(benchmarksSection(doc.benchmarks, ctx));
  if (doc.memory !== undefined) sections.push(memorySection(doc.memory, ctx));
  if (doc.replay !== undefined) sections.push(replaySection(doc.replay));
  if (doc.published !== undefined) sections.push(publishedSection(doc.published, ctx));
  return { title: 'vmakit report', sections };
}
