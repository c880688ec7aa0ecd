import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSharedDir, sharedMissingMessage } from '@vmakit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './fixtures/run-cli.js';

describe('vmakit vectors', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vmakit-cli-vectors-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a malformed vector file is an error naming the file and the line', async () => {
    writeFileSync(join(tmp, 'erase2-sets.txt'), '# a comment\nSTORE 1 2 3 bogus\n');
    writeFileSync(join(tmp, 'alloc-range.txt'), '');
    const r = await runCli(['vectors', tmp, '--index', 'maple', '--format', 'json']);
    expect(r.error?.message).toContain(`${join(tmp, 'erase2-sets.txt')}:2:`);
    expect(r.stdout).toBe('');
  });

  it('bad options and missing folders are clear errors', async () => {
    expect((await runCli(['vectors', join(tmp, 'absent')])).error?.message).toMatch(
      /absent: no such directory/,
    );
    expect((await runCli(['vectors', tmp, '--index', 'avl'])).error?.message).toMatch(
      /unknown index 'avl'; known:/,
    );
    expect((await runCli(['vectors', tmp, '--validate-every', '0'])).error?.message).toMatch(
      /--validate-every must be an integer >= 1, not '0'/,
    );
    expect((await runCli(['vectors', '--help'])).stdout).toContain('Examples:');
  });

  const dir = findSharedDir('kernel-vectors');
  describe.skipIf(dir === null)(
    `kernel vectors ${dir === null ? sharedMissingMessage('kernel-vectors') : ''}`,
    () => {
      it("replays the kernel's maple-tree vectors on maple without a mismatch", async () => {
        for (const index of ['maple']) {
          const { json, run } = await runJson([
            'vectors',
            dir!,
            '--index',
            index,
            '--validate-every',
            '2000',
            '--format',
            'json',
          ]);
          const doc = json as {
            index: string;
            sets: number;
            ops: number;
            mismatches: number;
            gap_mismatches: number;
            assertion_failures: number;
          };
          expect(doc.index).toBe(index);
          expect(doc.sets).toBeGreaterThan(0);
          expect(doc.ops).toBeGreaterThan(1000);
          expect(doc.mismatches).toBe(0);
          expect(doc.gap_mismatches).toBe(0);
          expect(doc.assertion_failures).toBe(0);
          expect(run.exitCode).toBeUndefined();
        }
      });
    },
  );
});
