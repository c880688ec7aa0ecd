import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { replayCapture } from '@vmakit/replay';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCommand, resolveExecutable } from '../src/index.js';
import { captureSkipReason, referencePlugin, tempDir } from './helpers/gate.js';

/**
 * dd maps glibc's gconv-modules.cache MAP_SHARED|PROT_READ through a descriptor opened O_RDONLY:
 * the kernel gives that VMA neither VM_SHARED nor VM_MAYWRITE (mm/mmap.c do_mmap()). Only a replay
 * that follows the traced openat/close knows the descriptor's mode and gets the same VmFlags.
 */
const dd = await resolveExecutable('dd', process.cwd(), process.env.PATH);
const skip = (await captureSkipReason()) ?? (dd === null ? 'skipped: no dd on the PATH' : null);
const T = 90_000;

describe.skipIf(skip !== null)('a file mapped shared through a read-only descriptor (dd)', () => {
  const dir = tempDir('capture-fd');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'the capture traces the fd calls and the replay matches end.maps and every VmFlags',
    async () => {
      const s = await captureCommand([dd!, 'if=/dev/zero', 'of=/dev/null', 'bs=1M', 'count=64'], {
        out: join(dir, 'dd'),
        stdio: 'ignore',
      });
      expect(s.end).toBe('exit-stop');
      expect(s.exit).toEqual({ code: 0, signal: null });
      expect(s.tracepoints.used).toContain('syscalls:sys_enter_openat');
      expect(s.tracepoints.used).toContain('syscalls:sys_enter_close');
      expect(s.events.fdCalls.openat ?? 0).toBeGreaterThan(0);
      expect(s.events.fdCalls.close ?? 0).toBeGreaterThan(0);
      const r = await replayCapture(s.out, { index: referencePlugin });
      expect(r.events.fd_calls).toBe(Object.values(s.events.fdCalls).reduce((a, b) => a + b, 0));
      expect(r.syscalls.disagreements).toEqual([]);
      expect(r.final).not.toBeNull();
      expect(r.diff).toEqual([]);
      expect(r.final!.exact_match).toBe(true);
      expect(r.final!.flag_mismatches).toBe(0);
    },
    T,
  );
});

it.skipIf(skip === null)(skip ?? '', () => {});
