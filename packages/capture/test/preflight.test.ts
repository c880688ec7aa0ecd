import { describe, expect, it } from 'vitest';
import {
  CaptureError,
  checkCaptureEnvironment,
  classifyPerfFailure,
  hasPerfCapability,
  perfExecutable,
  probePerf,
  tracePermissionProblem,
} from '../src/index.js';

describe('permission to record tracepoints', () => {
  it('root may', () => {
    expect(tracePermissionProblem(0, 2, '0')).toBeNull();
  });

  it('others need perf_event_paranoid -1 or CAP_PERFMON / CAP_SYS_ADMIN', () => {
    const msg = tracePermissionProblem(1000, 2, '0000000000000000');
    expect(msg).toMatch(/perf_event_paranoid=-1/);
    expect(msg).toMatch(/it is 2/);
    expect(msg).toMatch(/root/);
    expect(tracePermissionProblem(1000, -1, '0')).toBeNull();
    // CAP_PERFMON is bit 38, CAP_SYS_ADMIN bit 21 (include/uapi/linux/capability.h).
    expect(tracePermissionProblem(1000, 2, (1n << 38n).toString(16))).toBeNull();
    expect(tracePermissionProblem(1000, 2, (1n << 21n).toString(16))).toBeNull();
    expect(tracePermissionProblem(1000, null, null)).toMatch(/it is unknown/);
  });

  it('reads CapEff masks', () => {
    expect(hasPerfCapability('000001ffffffffff')).toBe(true);
    expect(hasPerfCapability('0000000000000000')).toBe(false);
    expect(hasPerfCapability('zz')).toBe(false);
  });
});

describe("classifying perf's failures", () => {
  it('permission, missing tracepoint, missing process, other', () => {
    expect(
      classifyPerfFailure(
        "event syntax error: 'exceptions:page_fault_user'\n  \\___ can't access trace events\nError:\tNo permissions to read /sys/kernel/tracing/events/exceptions/page_fault_user",
      ),
    ).toBe('permission');
    expect(
      classifyPerfFailure(
        'Error:\nAccess to performance monitoring and observability operations is limited.\nConsider adjusting /proc/sys/kernel/perf_event_paranoid setting',
      ),
    ).toBe('permission');
    expect(
      classifyPerfFailure(
        "event syntax error: 'syscalls:sys_enter_nosuch'\n   \\___ unknown tracepoint\nError:\tFile /sys/kernel/tracing/events/syscalls/sys_enter_nosuch not found.",
      ),
    ).toBe('tracepoints-unavailable');
    expect(classifyPerfFailure("Couldn't create thread/CPU maps: No such process")).toBe('no-such-process');
    expect(classifyPerfFailure('failed to mmap with 12 (Cannot allocate memory)')).toBe('perf-failed');
  });

  it('the perf executable: option, then VMAKIT_PERF, then perf', () => {
    const saved = process.env.VMAKIT_PERF;
    try {
      delete process.env.VMAKIT_PERF;
      expect(perfExecutable()).toBe('perf');
      process.env.VMAKIT_PERF = '/opt/perf';
      expect(perfExecutable()).toBe('/opt/perf');
      expect(perfExecutable('/usr/bin/perf')).toBe('/usr/bin/perf');
    } finally {
      if (saved === undefined) delete process.env.VMAKIT_PERF;
      else process.env.VMAKIT_PERF = saved;
    }
  });
});

describe('perf missing', () => {
  it('a clear error naming the package to install; the probe says why', async () => {
    let err: unknown = null;
    try {
      await checkCaptureEnvironment({ perfPath: '/nonexistent/perf' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).code).toBe('perf-missing');
    expect((err as CaptureError).message).toMatch(/perf is not installed .*linux-perf/);
    const probe = await probePerf({ perfPath: '/nonexistent/perf' });
    expect(probe.ok).toBe(false);
    if (!probe.ok) expect(probe.code).toBe('perf-missing');
  });
});
