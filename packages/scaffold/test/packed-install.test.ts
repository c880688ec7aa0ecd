/**
 * Publishability: `pnpm -r pack` tarballs install with npm in a scratch project outside the
 * workspace and work under plain Node (no vitest interop, no vmakit-source condition): the core model
 * on a packed index, the sorted-btree index (CommonJS default-export trap), and the packed `vmakit`
 * bin. Needs the npm registry for third-party dependencies: skips with a message when it is
 * unreachable, and when the packages are not built (`tsc -b`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from '../src/index.js';

const root = findWorkspaceRoot(import.meta.dirname)!;

function run(cmd: string, args: readonly string[], cwd: string, timeout = 300_000) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_yes: 'true' },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error?.message ?? ''}` };
}

function skipReason(): string | null {
  if (process.env.VMAKIT_SKIP_PACK === '1') return 'skipped: VMAKIT_SKIP_PACK=1';
  const missing = ['core', 'index-maple', 'index-cow-btree', 'cli'].filter(
    (p) => !existsSync(join(root, 'packages', p, 'dist', 'index.js')),
  );
  if (missing.length > 0) return `skipped: packages not built (${missing.join(', ')}); run tsc -b first`;
  const ping = run('npm', ['ping'], root, 20_000);
  if (ping.status !== 0)
    return `skipped: the npm registry is unreachable (npm ping: ${ping.stderr.trim().split('\n')[0]})`;
  return null;
}

const reason = skipReason();

/** Private workspace packages that public ones may still depend on: none may. */
const KNOWN_PRIVATE_DEPENDENCIES: string[] = [];

describe.skipIf(reason !== null)(
  `packed tarballs in a scratch project${reason === null ? '' : ` (${reason})`}`,
  () => {
    let work = '';
    let scratch = '';
    let tarballs: Record<string, string> = {};
    const manifests: Record<string, { private?: boolean; dependencies?: Record<string, string> }> = {};

    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'vmakit-pack-'));
      const packs = join(work, 'packs');
      mkdirSync(packs);
      const packed = run(
        'pnpm',
        ['-r', '--filter', './packages/*', '--filter', './bench', 'pack', '--pack-destination', packs],
        root,
      );
      expect(packed.status, packed.stderr).toBe(0);
      for (const file of readdirSync(packs)) {
        const listing = run('tar', ['-xzOf', join(packs, file), 'package/package.json'], packs);
        const manifest = JSON.parse(listing.stdout);
        tarballs[manifest.name] = join(packs, file);
        manifests[manifest.name] = manifest;
      }
      scratch = join(work, 'scratch');
      mkdirSync(scratch);
      const deps = Object.fromEntries(Object.entries(tarballs).map(([n, f]) => [n, `file:${f}`]));
      writeFileSync(
        join(scratch, 'package.json'),
        JSON.stringify(
          { name: 'scratch', private: true, type: 'module', dependencies: deps, overrides: deps },
          null,
          2,
        ),
      );
      const installed = run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
        scratch,
      );
      expect(installed.status, installed.stderr).toBe(0);
    }, 600_000);

    afterAll(() => {
      if (work !== '') rmSync(work, { recursive: true, force: true });
    });

    it('packs every public package with its licence, README, types and no workspace: ranges', () => {
      tarballs = { ...tarballs };
      const publicNames = Object.keys(manifests).filter((n) => manifests[n]!.private !== true);
      expect(publicNames).toContain('@vmakit/core');
      expect(publicNames).toContain('@vmakit/cli');
      for (const name of publicNames) {
        const m = manifests[name] as Record<string, unknown>;
        expect(m.license, name).toBe('MIT');
        expect((m.repository as { directory?: string }).directory, name).toMatch(/^(packages\/|bench$)/);
        expect(typeof m.types, name).toBe('string');
        const files = run('tar', ['-tzf', tarballs[name]!], work).stdout.split('\n');
        expect(files, name).toContain('package/LICENSE');
        expect(files, name).toContain(`package/${String(m.types).replace(/^\.\//, '')}`);
        for (const range of Object.values({ ...(m.dependencies as object) })) {
          expect(String(range), name).not.toMatch(/^workspace:/);
        }
      }
      const privateDeps = publicNames.flatMap((name) =>
        Object.keys(manifests[name]!.dependencies ?? {})
          .filter((d) => manifests[d]?.private === true)
          .map((d) => `${name} -> ${d}`),
      );
      // A public package depending on a private one cannot be installed from the registry.
      expect(privateDeps).toEqual(KNOWN_PRIVATE_DEPENDENCIES);
    });

    it('runs the model on packed indexes under plain Node', () => {
      writeFileSync(
        join(scratch, 'smoke.mjs'),
        `import { MmStruct, uapi } from '@vmakit/core';
import { createMapleIndex } from '@vmakit/index-maple';
import { createCowBtreeIndex } from '@vmakit/index-cow-btree';
import { ReferenceIndex } from '@vmakit/testkit';
const out = {};
for (const [name, index] of [['maple', createMapleIndex()], ['cow-btree', createCowBtreeIndex()], ['reference', new ReferenceIndex()]]) {
  const mm = new MmStruct(index);
  const len = 0x10000;
  const a = mm.mmap(0, len, uapi.PROT_READ | uapi.PROT_WRITE, uapi.MAP_PRIVATE | uapi.MAP_ANONYMOUS);
  const found = mm.findVma(a);
  const start = found?.start === a;
  const end = found?.end === a + len;
  const hole = mm.munmap(a + 0x4000, 0x4000);
  const after = mm.findVma(a + 0x4000);
  out[name] = { mapped: a > 0, start, end, munmap: hole, next: after?.start === a + 0x8000, vmas: index.size };
}
process.stdout.write(JSON.stringify(out));
`,
      );
      const r = run(process.execPath, ['smoke.mjs'], scratch);
      expect(r.status, r.stderr).toBe(0);
      const expected = { mapped: true, start: true, end: true, munmap: 0, next: true, vmas: 2 };
      expect(JSON.parse(r.stdout)).toEqual({ maple: expected, 'cow-btree': expected, reference: expected });
    });

    it('runs the packed vmakit bin', () => {
      const bin = join(scratch, 'node_modules', '.bin', 'vmakit');
      const r = run(bin, ['list', '--format', 'json'], scratch);
      expect(r.status, r.stderr).toBe(0);
      const names = (JSON.parse(r.stdout) as { indexes: Array<{ name: string }> }).indexes.map((i) => i.name);
      expect(names).toEqual(['reference', 'rbtree', 'maple', 'persistent-rbtree', 'cow-btree']);
    });
  },
);

if (reason !== null) {
  describe('packed tarballs in a scratch project', () => {
    it.skip(reason, () => undefined);
  });
}
