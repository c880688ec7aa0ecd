import { describe, expect, it } from 'vitest';
import { buildPerfRecordArgs, buildPerfScriptArgs, PERF_SCRIPT_FIELDS } from '../src/index.js';

describe('perf command lines', () => {
  it('record: every event, -m pages, -p pid, output, no build-id pass', () => {
    const args = buildPerfRecordArgs({
      pid: 1234,
      events: ['exceptions:page_fault_user', 'syscalls:sys_enter_mmap', 'syscalls:sys_exit_mmap'],
      mmapPages: 8192,
      output: '/w/perf.data',
    });
    expect(args).toEqual([
      'record',
      '-e',
      'exceptions:page_fault_user',
      '-e',
      'syscalls:sys_enter_mmap',
      '-e',
      'syscalls:sys_exit_mmap',
      '-m',
      '8192',
      '-p',
      '1234',
      '-o',
      '/w/perf.data',
      '--no-buildid',
    ]);
  });

  it('record with a control fifo starts disabled and names both fifos', () => {
    const args = buildPerfRecordArgs({
      pid: 7,
      events: ['exceptions:page_fault_user'],
      mmapPages: 16,
      output: 'p.data',
      control: { ctl: '/w/ctl', ack: '/w/ack' },
    });
    expect(args.slice(-4)).toEqual(['-D', '-1', '--control', 'fifo:/w/ctl,/w/ack']);
  });

  it('refuses values perf would misread', () => {
    const base = { events: ['exceptions:page_fault_user'], mmapPages: 8, output: 'o' };
    expect(() => buildPerfRecordArgs({ ...base, pid: 0 })).toThrow(/pid 0/);
    expect(() => buildPerfRecordArgs({ ...base, pid: 1.5 })).toThrow(RangeError);
    expect(() => buildPerfRecordArgs({ ...base, pid: 5, mmapPages: 0 })).toThrow(/mmapPages/);
    expect(() => buildPerfRecordArgs({ ...base, pid: 5, events: [] })).toThrow(/no events/);
  });

  it('script: the README fields and lost events shown', () => {
    expect(PERF_SCRIPT_FIELDS).toBe('comm,tid,cpu,time,event,trace');
    expect(buildPerfScriptArgs('/w/perf.data')).toEqual([
      'script',
      '-i',
      '/w/perf.data',
      '--show-lost-events',
      '-F',
      'comm,tid,cpu,time,event,trace',
    ]);
  });
});
