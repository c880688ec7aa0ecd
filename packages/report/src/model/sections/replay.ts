/** Replay of captured processes: per capture × index × strategy, against the kernel's end maps. */
import type { ReplaySection } from '../../schema/types.js';
import { byCodeUnit, INDEX_ORDER, knownFirst, STRATEGY_ORDER } from '../order.js';
import { type Block, cell, type Section } from '../types.js';

const byIndex = knownFirst(INDEX_ORDER);
const byStrategy = knownFirst(STRATEGY_ORDER);

/** The replay section. */
export function replaySection(s: ReplaySection): Section {
  const rows = [...s.rows].sort(
    (a, b) =>
      byCodeUnit(a.capture, b.capture) ||
      byIndex(a.index, b.index) ||
      byStrategy(a.strategy ?? '', b.strategy ?? ''),
  );
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: 'Each capture is replayed from its start maps with every traced memory system call applied at its exit; the final address space is compared with the kernel’s end maps page by page and line by line.',
    },
  ];
  if (rows.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No replay results in this document.' });
    return { id: 'replay', title: 'Replay of captured processes', blocks };
  }
  blocks.push({
    kind: 'table',
    caption: 'Replay results',
    columns: [
      { label: 'capture', numeric: false },
      { label: 'index', numeric: false },
      { label: 'strategy', numeric: false },
      { label: 'faults', numeric: true },
      { label: 'handled', numeric: true },
      { label: 'signals', numeric: true },
      { label: 'bytes copied', numeric: true },
      { label: 'syscalls', numeric: true },
      { label: 'disagreed', numeric: true },
      { label: 'page mism.', numeric: true },
      { label: 'VMA mism.', numeric: true },
      { label: 'exact', numeric: false },
    ],
    rows: rows.map((r) => [
      cell.text(r.capture),
      cell.text(r.index),
      cell.text(r.strategy ?? '-'),
      cell.num(r.faults, 'count'),
      cell.num(r.faults_handled, 'count'),
      cell.num(r.signals, 'count'),
      cell.num(r.bytes_copied, 'bytes'),
      cell.num(r.syscalls, 'count'),
      cell.num(r.syscalls_disagreed, 'count'),
      cell.num(r.page_mismatches, 'count'),
      cell.num(r.vma_mismatches, 'count'),
      cell.bool(r.exact_match),
    ]),
    keyColumns: 3,
  });
  const withCounters = rows.filter((r) => Object.keys(r.counters).length > 0);
  if (withCounters.length > 0)
    blocks.push({
      kind: 'table',
      caption: 'Fault-core counters',
      columns: [
        { label: 'capture', numeric: false },
        { label: 'index', numeric: false },
        { label: 'strategy', numeric: false },
        { label: 'counter', numeric: false },
        { label: 'value', numeric: true },
      ],
      rows: withCounters.flatMap((r) =>
        Object.keys(r.counters)
          .sort(byCodeUnit)
          .map((k) => [
            cell.text(r.capture),
            cell.text(r.index),
            cell.text(r.strategy ?? '-'),
            cell.text(k),
            cell.num(r.counters[k]!, 'count'),
          ]),
      ),
      keyColumns: 4,
    });
  return { id: 'replay', title: 'Replay of captured processes', blocks };
}
