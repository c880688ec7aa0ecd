import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineIndexPlugin, ParseError } from '@vmakit/core';
import { createReferenceIndex } from '@vmakit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { replayCapture } from '../src/index.js';

const reference = defineIndexPlugin({
  meta: { name: 'reference', version: '0', kind: 'index' },
  semantics: 'snapshot',
  era: 'maple-era',
  create: (o) => createReferenceIndex(o),
});

const START = [
  '555555554000-555555555000 r--p 00000000 fe:00 100                        /opt/app/file1',
  '555555555000-555555576000 rw-p 00000000 00:00 0                          [heap]',
  '7ffff7fc0000-7ffff7fff000 r-xp 00000000 fe:00 200                        /opt/app/file2.so',
  '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]',
];

function line(tid: number, t: number, event: string, fields: string): string {
  return `            app ${tid} [000]  ${t.toFixed(6)}: ${event}: ${fields}`;
}

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function capture(trace: string[], end: string[] | null): string {
  dir = mkdtempSync(join(tmpdir(), 'vmakit-replay-'));
  writeFileSync(join(dir, 'start.maps'), `${START.join('\n')}\n`);
  writeFileSync(join(dir, 'trace.txt'), `${trace.join('\n')}\n`);
  if (end !== null) writeFileSync(join(dir, 'end.maps'), `${end.join('\n')}\n`);
  return dir;
}

const mmapEnter = (t: number, addr: string, len: string) =>
  line(
    1,
    t,
    'syscalls:sys_enter_mmap',
    `addr: ${addr}, len: ${len}, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000`,
  );

describe('replay on synthetic captures', () => {
  it('follows the kernel when the model would place a mapping elsewhere, and counts it', async () => {
    // The model places top-down just below the loader (0x7ffff7fbf000 for one page); the kernel chose
    // a page lower.
    const d = capture(
      [
        mmapEnter(1, '0x00000000', '0x00001000'),
        line(1, 1.000001, 'syscalls:sys_exit_mmap', '0x7ffff7fbe000'),
        line(1, 2, 'exceptions:page_fault_user', 'address=0x7ffff7fbe010 ip=0x555555554100 error_code=0x6'),
      ],
      [START[0]!, START[1]!, '7ffff7fbe000-7ffff7fbf000 rw-p 00000000 00:00 0 ', START[2]!, START[3]!],
    );
    const r = await replayCapture(d, { index: reference });
    expect(r.syscalls.placement_differs).toBe(1);
    expect(r.syscalls.disagreements[0]).toMatch(
      /mmap at line 2 \(tid 1\): kernel 0x7ffff7fbe000, model 0x7ffff7fbf000/,
    );
    expect(r.events.faults).toBe(1);
    expect(r.final).toMatchObject({ page_mismatches: 0, vma_mismatches: 0, exact_match: true });
  });

  it('counts pages and lines that differ from end.maps', async () => {
    const d = capture(
      [
        line(1, 1, 'syscalls:sys_enter_munmap', 'addr: 0x555555555000, len: 0x00001000'),
        line(1, 1.000001, 'syscalls:sys_exit_munmap', '0x0'),
      ],
      START,
    );
    const r = await replayCapture(d, { index: reference });
    // The model unmapped one heap page that end.maps still shows: 1 page, 2 lines out, 1 line in.
    expect(r.final!.page_mismatches).toBe(1);
    expect(r.final!.vma_mismatches).toBe(2);
    expect(r.final!.exact_match).toBe(false);
    expect(r.diff.some((l) => l.startsWith('- 555555555000-555555576000'))).toBe(true);
  });

  it('reports a malformed trace line with its file and line', async () => {
    const d = capture([mmapEnter(1, '0x00000000', '0x00001000'), 'garbage here'], null);
    await expect(replayCapture(d, { index: reference })).rejects.toThrow(ParseError);
    await expect(replayCapture(d, { index: reference })).rejects.toThrow(/trace\.txt:2:/);
  });

  it('gives no comparison when the capture has no end.maps', async () => {
    const d = capture([], null);
    const r = await replayCapture(d, { index: reference });
    expect(r.final).toBeNull();
    expect(r.events.syscalls).toBe(0);
  });
});
