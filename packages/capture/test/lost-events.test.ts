import { parseTraceText } from '@vmakit/formats';
import { describe, expect, it } from 'vitest';
import { lostRecordsIn, lostReport, lostWarningsIn, perfFailureText, perfMessages } from '../src/index.js';

// Shapes perf 6.1 printed on this project's machine for a 1-page ring buffer under a fault storm.
const LOSSY_TRACE = [
  '     fault-storm 16976 [000]  8597.041880: exceptions:page_fault_user: address=0x7f0000000000 ip=0x401136 error_code=0x6',
  '     fault-storm 16976 [000]  8597.041885: PERF_RECORD_LOST lost 139',
  '     fault-storm 16976 [000]  8597.113785: PERF_RECORD_LOST lost 156',
  '     fault-storm 16976 [001]  8597.113790: exceptions:page_fault_user: address=0x7f0000001000 ip=0x401136 error_code=0x6',
  '     fault-storm 16976 [001]  8597.113799: PERF_RECORD_LOST_SAMPLES lost 7',
].join('\n');

const RECORD_STDERR_LOSSY = `[ perf record: Woken up 13309 times to write data ]
Warning:
Processed 337776 events and lost 66 chunks!

Check IO/CPU overload!

Warning:
Processed 327739 samples and lost 5.15%!

[ perf record: Captured and wrote 26.299 MB lost.data (310876 samples) ]
`;

const RECORD_STDERR_CLEAN = `Events disabled
Events enabled
[ perf record: Woken up 2 times to write data ]
[ perf record: Captured and wrote 0.121 MB perf.data (1300 samples) ]
`;

const SCRIPT_STDERR_CLEAN = `'trace' not valid for hardware events. Ignoring.
'trace' not valid for software events. Ignoring.
'trace' not valid for hardware-cache events. Ignoring.
'trace' not valid for unknown events. Ignoring.
`;

describe('lost-event detection', () => {
  it('counts PERF_RECORD_LOST lines and their events', () => {
    expect(lostRecordsIn(LOSSY_TRACE.split('\n'))).toEqual({ records: 3, events: 302 });
    expect(
      lostRecordsIn(['   a 1 [000] 1.000001: exceptions:page_fault_user: address=0x1 ip=0x2 error_code=0x4']),
    ).toEqual({
      records: 0,
      events: 0,
    });
  });

  it('agrees with the trace parser, which refuses lost records unless allowed', () => {
    expect(() => parseTraceText(`${LOSSY_TRACE}\n`, 'trace.txt')).toThrow(/perf lost 139 events/);
    const { summary } = parseTraceText(`${LOSSY_TRACE}\n`, 'trace.txt', { allowLost: true });
    expect({ records: summary.lostRecords, events: summary.lostEvents }).toEqual(
      lostRecordsIn(LOSSY_TRACE.split('\n')),
    );
  });

  it("finds perf's lost-data warnings on standard error", () => {
    expect(lostWarningsIn(RECORD_STDERR_LOSSY)).toEqual([
      'Processed 337776 events and lost 66 chunks!',
      'Check IO/CPU overload!',
      'Processed 327739 samples and lost 5.15%!',
    ]);
  });

  it('raises no false alarm on a clean run', () => {
    expect(lostWarningsIn(RECORD_STDERR_CLEAN)).toEqual([]);
    expect(lostWarningsIn(SCRIPT_STDERR_CLEAN)).toEqual([]);
    const r = lostReport({ records: 0, events: 0 }, [RECORD_STDERR_CLEAN, SCRIPT_STDERR_CLEAN]);
    expect(r).toEqual({ records: 0, events: 0, warnings: [], lost: false });
  });

  it('flags a capture from either source', () => {
    expect(lostReport({ records: 2, events: 10 }, [RECORD_STDERR_CLEAN]).lost).toBe(true);
    const fromStderr = lostReport({ records: 0, events: 0 }, [RECORD_STDERR_LOSSY, SCRIPT_STDERR_CLEAN]);
    expect(fromStderr.lost).toBe(true);
    expect(fromStderr.warnings).toHaveLength(3);
  });
});

describe("perf's standard error", () => {
  it('keeps what matters and drops progress and field-selection notes', () => {
    expect(perfMessages(RECORD_STDERR_CLEAN + SCRIPT_STDERR_CLEAN)).toEqual([]);
    expect(perfMessages(RECORD_STDERR_LOSSY)).toContain('Processed 337776 events and lost 66 chunks!');
  });

  it('condenses a failure to its explanation', () => {
    const nonRoot = `event syntax error: 'exceptions:page_fault_user'
                     \\___ can't access trace events

Error:\tNo permissions to read /sys/kernel/tracing/events/exceptions/page_fault_user
Hint:\tTry 'sudo mount -o remount,mode=755 /sys/kernel/tracing/'

Run 'perf list' for a list of valid events

 Usage: perf record [<options>] [<command>]
    or: perf record [<options>] -- <command> [<options>]

    -e, --event <event>   event selector. use 'perf list' to list available events
`;
    const text = perfFailureText(nonRoot);
    expect(text).toContain('No permissions to read /sys/kernel/tracing/events/exceptions/page_fault_user');
    expect(text).not.toContain('Usage');
    expect(perfFailureText('')).toBe('(perf printed nothing)');
  });
});
