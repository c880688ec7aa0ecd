import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureCapture, runCli, runJson } from './fixtures/run-cli.js';

interface ReplayJson {
  capture: string;
  index: string;
  strategy: string | null;
  events: { faults: number; syscalls: number };
  final: { page_mismatches: number; vma_mismatches: number; exact_match: boolean } | null;
  fault_handling: { resolved: boolean; handled?: number; signals_unexplained?: number };
}

describe('vmakit replay', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-replay-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const capture of ['mmap-touch', 'brk-heap', 'arena-churn']) {
    it(`replays the ${capture} fixture to the kernel's end state, faults resolved by the strategy`, async () => {
      const doc = (
        await runJson([
          'replay',
          fixtureCapture(capture),
          '--index',
          'maple',
          '--strategy',
          'per-vma-lock',
          '--format',
          'json',
        ])
      ).json as ReplayJson;
      expect(doc.index).toBe('maple');
      expect(doc.strategy).toBe('per-vma-lock');
      expect(doc.events.faults).toBeGreaterThan(0);
      expect(doc.final?.page_mismatches).toBe(0);
      expect(doc.final?.vma_mismatches).toBe(0);
      expect(doc.fault_handling.resolved).toBe(true);
      expect(doc.fault_handling.handled).toBeGreaterThan(0);
      expect(doc.fault_handling.signals_unexplained).toBe(0);
    });
  }

  it('indexes and strategies agree on a capture; without --strategy faults are only counted', async () => {
    const dir = fixtureCapture('mmap-touch');
    const a = (
      await runJson(['replay', dir, '--index', 'rbtree', '--strategy', 'spf-copy-vma', '--format', 'json'])
    ).json as ReplayJson;
    const b = (await runJson(['replay', dir, '--index', 'cow-btree', '--format', 'json'])).json as ReplayJson;
    expect(a.final).toEqual({ ...a.final, page_mismatches: 0, exact_match: b.final!.exact_match });
    expect(b.fault_handling.resolved).toBe(false);
    expect(a.events).toEqual(b.events);
    const text = await runCli(['replay', dir, '--index', 'maple']);
    expect(text.stdout).toMatch(/^capture +/);
  });

  it('refuses an unsafe pairing, unknown names, and a missing capture', async () => {
    const dir = fixtureCapture('mmap-touch');
    const unsafe = await runCli(['replay', dir, '--index', 'rbtree', '--strategy', 'per-vma-lock']);
    expect(unsafe.error?.message).toMatch(/per-vma-lock.*rbtree|rbtree.*per-vma-lock|unsafe/);
    expect(unsafe.stdout).toBe('');
    expect((await runCli(['replay', dir, '--index', 'splay'])).error?.message).toMatch(
      /unknown index 'splay'; known:/,
    );
    expect((await runCli(['replay', dir, '--strategy', 'rcu'])).error?.message).toMatch(
      /unknown strategy 'rcu'; known: mmap-lock/,
    );
    const missing = await runCli(['replay', join(tmp, 'nothing-here')]);
    expect(missing.error?.message).toContain('nothing-here');
  });

  it('a malformed trace is an error naming the file and the line', async () => {
    const dir = join(tmp, 'bad-trace');
    cpSync(fixtureCapture('mmap-touch'), dir, { recursive: true });
    const good =
      '      mmap-touch  4130 [000]  9841.433991:       exceptions:page_fault_user: address=0x5595bc9f8790 ip=0x5595bc9f8790 error_code=0x14\n';
    writeFileSync(join(dir, 'trace.txt'), `${good}${good}this is not a perf line\n`);
    const r = await runCli(['replay', dir, '--index', 'maple', '--format', 'json']);
    expect(r.error?.message).toContain(`${join(dir, 'trace.txt')}:3:`);
    expect(r.stdout).toBe('');
    writeFileSync(join(dir, 'start.maps'), 'garbage\n');
    const m = await runCli(['replay', dir, '--index', 'maple']);
    expect(m.error?.message).toContain(`${join(dir, 'start.maps')}:1:`);
  });

  const traces = findSharedDir('traces');
  describe.skipIf(traces === null)(
    `shared captures ${traces === null ? sharedMissingMessage('traces') : ''}`,
    () => {
      it('replays the shared c-arenas capture (3 threads) with page_mismatches 0', async () => {
        const doc = (
          await runJson([
            'replay',
            join(traces!, 'c-arenas'),
            '--index',
            'maple',
            '--strategy',
            'spf-copy-attrs',
            '--format',
            'json',
          ])
        ).json as ReplayJson;
        expect(doc.final?.page_mismatches).toBe(0);
        expect(doc.events.faults).toBeGreaterThan(1000);
      });
    },
  );
});
