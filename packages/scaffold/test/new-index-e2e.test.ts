/**
 * The whole public path of `vmakit new index`, end to end, in a temporary copy of this repository:
 * scaffold `demo` with the built CLI (which runs pnpm install), then tsc, Biome, the new package's
 * conformance suite, `vmakit list`, a replay of a fixture capture on `demo`, and the refusals with
 * their exit statuses. The copy keeps dist/ and *.tsbuildinfo (so tsc only builds what is new) and
 * installs from pnpm's local store (--offline). Skips with a message when pnpm is missing.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findSharedDir } from '@vmakit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWorkspaceRoot, SCAFFOLD_EXIT } from '../src/index.js';

const source = findWorkspaceRoot(import.meta.dirname)!;
const SKIP_COPY = new Set(['node_modules', '.git', 'reports', '.vmakit-tmp', 'coverage']);

/** The environment of a child tool: no variables of the vitest run this test is part of. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST') env[k] = v;
  }
  // The copy sits in a temporary folder, away from ../shared: point it there when it exists.
  const shared = findSharedDir(undefined, source);
  if (shared !== null) env.VMAKIT_SHARED_DIR = shared;
  // As on a CI runner: pnpm then defaults to --frozen-lockfile, which the scaffolder's install must override.
  env.CI = 'true';
  env.FORCE_COLOR = '0';
  env.NO_COLOR = '1';
  return env;
}

function skipReason(): string | null {
  if (process.env.VMAKIT_SKIP_E2E === '1') return 'skipped: VMAKIT_SKIP_E2E=1';
  const pnpm = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (pnpm.status !== 0) return 'skipped: pnpm is not on PATH';
  return null;
}

const reason = skipReason();

describe.skipIf(reason !== null)(
  `vmakit new index, end to end${reason === null ? '' : ` (${reason})`}`,
  () => {
    let work = '';
    let repo = '';
    let env: NodeJS.ProcessEnv = {};
    let scaffold: SpawnSyncReturns<string>;

    const run = (cmd: string, args: readonly string[], cwd = repo) =>
      spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
    const node = (script: string, args: readonly string[], cwd = repo) =>
      run(process.execPath, [join(repo, script), ...args], cwd);
    const vmakit = (args: readonly string[], cwd = repo) => node('packages/cli/dist/bin.js', args, cwd);
    const out = (r: SpawnSyncReturns<string>) => `${r.stdout}\n${r.stderr}${r.error?.message ?? ''}`;

    beforeAll(() => {
      env = childEnv();
      work = mkdtempSync(join(tmpdir(), 'vmakit-new-'));
      repo = join(work, 'repo');
      cpSync(source, repo, {
        recursive: true,
        preserveTimestamps: true,
        filter: (src) => {
          if (SKIP_COPY.has(basename(src))) return false;
          const st = lstatSync(src);
          return st.isDirectory() || st.isFile();
        },
      });
      // The copy must not already hold what this test creates (a leftover of an interrupted run).
      rmSync(join(repo, 'packages', 'index-demo'), { recursive: true, force: true });
      const install = run('pnpm', ['install', '--offline', '--frozen-lockfile']);
      expect(install.status, out(install)).toBe(0);
      if (!existsSync(join(repo, 'packages/cli/dist/bin.js'))) {
        const build = node('node_modules/typescript/bin/tsc', ['-b', 'packages/cli']);
        expect(build.status, out(build)).toBe(0);
      }
      scaffold = vmakit(['new', 'index', 'demo', '--description', 'demo: the scaffold as generated']);
    }, 600_000);

    afterAll(() => {
      if (work !== '') rmSync(work, { recursive: true, force: true });
    });

    it('creates, registers and links packages/index-demo', () => {
      expect(scaffold.status, out(scaffold)).toBe(0);
      expect(scaffold.stdout).toContain('created packages/index-demo (@vmakit/index-demo)');
      expect(scaffold.stdout).toContain('linked it with pnpm install');
      expect(readFileSync(join(repo, 'vmakit.config.ts'), 'utf8')).toContain(
        "import { demoPlugin } from './packages/index-demo/src/index.js';",
      );
      expect(JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')).references).toContainEqual({
        path: 'packages/index-demo',
      });
      // pnpm install linked the workspace dependencies of the new package.
      expect(existsSync(join(repo, 'packages/index-demo/node_modules/@vmakit/core/package.json'))).toBe(true);
      expect(existsSync(join(repo, 'packages/index-demo/node_modules/@vmakit/testkit/package.json'))).toBe(
        true,
      );
    }, 120_000);

    it('builds with tsc -b and type-checks its test', () => {
      const build = node('node_modules/typescript/bin/tsc', ['-b', 'packages/index-demo']);
      expect(build.status, out(build)).toBe(0);
      expect(existsSync(join(repo, 'packages/index-demo/dist/index.d.ts'))).toBe(true);
      writeFileSync(
        join(repo, 'tsconfig.demo-check.json'),
        JSON.stringify({
          extends: './tsconfig.check.json',
          include: ['packages/index-demo/src', 'packages/index-demo/test'],
        }),
      );
      const check = node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.demo-check.json']);
      expect(check.status, out(check)).toBe(0);
    }, 120_000);

    it('passes Biome as generated', () => {
      const lint = node('node_modules/@biomejs/biome/bin/biome', [
        'check',
        'packages/index-demo',
        'vmakit.config.ts',
        'tsconfig.json',
      ]);
      expect(lint.status, out(lint)).toBe(0);
    }, 120_000);

    it('passes its conformance suite', () => {
      const test = node('node_modules/vitest/vitest.mjs', ['run', '--project', '@vmakit/index-demo']);
      expect(test.status, out(test)).toBe(0);
      expect(test.stdout).toMatch(/Tests\s+\d+ passed/);
    }, 300_000);

    it('is listed by vmakit list and replays a real capture with no page mismatch', () => {
      const list = vmakit(['list', '--format', 'json']);
      expect(list.status, out(list)).toBe(0);
      const demo = (JSON.parse(list.stdout) as { indexes: Array<Record<string, unknown>> }).indexes.find(
        (i) => i.name === 'demo',
      );
      expect(demo).toMatchObject({
        semantics: 'snapshot',
        era: 'maple-era',
        description: 'demo: the scaffold as generated',
      });
      const replay = vmakit([
        'replay',
        'fixtures/captures/mmap-touch',
        '--index',
        'demo',
        '--format',
        'json',
      ]);
      expect(replay.status, out(replay)).toBe(0);
      const report = JSON.parse(replay.stdout) as { index: string; final: { page_mismatches: number } };
      expect(report.index).toBe('demo');
      expect(report.final.page_mismatches).toBe(0);
    }, 120_000);

    it('refuses bad input with its exit status and changes nothing', () => {
      const watched = ['vmakit.config.ts', 'tsconfig.json', 'packages/index-demo/src/demo-index.ts'];
      const before = watched.map((f) => readFileSync(join(repo, f), 'utf8'));
      const cases: Array<[string[], string, number, RegExp]> = [
        [['new', 'index', 'demo', '--no-install'], repo, SCAFFOLD_EXIT.exists, /already exists/],
        [['new', 'index', 'Demo_Tree', '--no-install'], repo, SCAFFOLD_EXIT['invalid-name'], /kebab-case/],
        [['new', 'index', 'maple', '--no-install'], repo, SCAFFOLD_EXIT.exists, /built-in index/],
        [
          ['new', 'index', 'other', '--no-install'],
          work,
          SCAFFOLD_EXIT['not-a-repo'],
          /not inside a vmakit repository/,
        ],
      ];
      for (const [args, cwd, status, message] of cases) {
        const r = vmakit(args, cwd);
        expect(r.status, out(r)).toBe(status);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
      expect(watched.map((f) => readFileSync(join(repo, f), 'utf8'))).toEqual(before);
      // A configuration the scaffolder cannot edit: refused before anything is written.
      const config = readFileSync(join(repo, 'vmakit.config.ts'), 'utf8');
      writeFileSync(
        join(repo, 'vmakit.config.ts'),
        "import { defineConfig } from '@vmakit/registry';\n\nexport default defineConfig({});\n",
      );
      const r = vmakit(['new', 'index', 'other', '--no-install']);
      expect(r.status, out(r)).toBe(SCAFFOLD_EXIT['cannot-edit']);
      expect(r.stderr).toMatch(/no `indexes: \[ \.\.\. \]` list.*by hand/);
      expect(existsSync(join(repo, 'packages/index-other'))).toBe(false);
      writeFileSync(join(repo, 'vmakit.config.ts'), config);
    });
  },
);

if (reason !== null) {
  describe('vmakit new index, end to end', () => {
    it.skip(reason, () => undefined);
  });
}
