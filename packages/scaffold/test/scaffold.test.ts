import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScaffoldError, scaffoldIndex } from '../src/index.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** The smallest folder the scaffolder accepts as a vmakit repository. */
function fakeRepo(config: string | null): string {
  dir = mkdtempSync(join(tmpdir(), 'vmakit-scaffold-'));
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'ws', private: true, devDependencies: { '@vmakit/registry': 'workspace:*' } }),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    `${JSON.stringify({ files: [], references: [{ path: 'packages/core' }] }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'LICENSE'), 'MIT License\n');
  for (const [folder, name] of [
    ['core', '@vmakit/core'],
    ['testkit', '@vmakit/testkit'],
    ['index-taken', '@vmakit/index-taken'],
  ] as const) {
    mkdirSync(join(dir, 'packages', folder), { recursive: true });
    writeFileSync(
      join(dir, 'packages', folder, 'package.json'),
      JSON.stringify({
        name,
        repository: { type: 'git', url: 'https://example.org/vmakit.git', directory: `packages/${folder}` },
      }),
    );
  }
  if (config !== null) writeFileSync(join(dir, 'vmakit.config.ts'), config);
  return dir;
}

/** Every file under the fake repository with its contents. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(root.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

const CONFIG =
  "import { builtinIndexes, defineConfig } from '@vmakit/registry';\n\nexport default defineConfig({\n  indexes: [...builtinIndexes],\n});\n";

async function refusal(p: Promise<unknown>): Promise<ScaffoldError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScaffoldError);
  return err as ScaffoldError;
}

describe('scaffoldIndex', () => {
  it('writes the package, the solution reference and the registration', async () => {
    const root = fakeRepo(CONFIG);
    const r = await scaffoldIndex({
      cwd: join(root, 'packages'),
      name: 'demo',
      registeredNames: ['reference'],
    });
    expect(r.root).toBe(root);
    expect(r.files).toEqual([
      'LICENSE',
      'README.md',
      'package.json',
      'src/demo-index.ts',
      'src/index.ts',
      'src/plugin.ts',
      'test/conformance.test.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(root, 'packages/index-demo/package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@vmakit/index-demo',
      license: 'MIT',
      types: './dist/index.d.ts',
      repository: { url: 'https://example.org/vmakit.git', directory: 'packages/index-demo' },
      exports: {
        '.': { 'vmakit-source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      },
      dependencies: { '@vmakit/core': 'workspace:*' },
    });
    expect(pkg.files).toEqual(['dist', 'src', 'README.md', 'LICENSE']);
    const source = readFileSync(join(root, 'packages/index-demo/src/demo-index.ts'), 'utf8');
    expect(source).toContain('export class DemoIndex<E extends IndexEntry> implements VmaIndex<E>');
    expect(source).not.toMatch(/__\w+__/);
    expect(readFileSync(join(root, 'packages/index-demo/src/index.ts'), 'utf8')).toBe(
      "export { createDemoIndex, DemoIndex } from './demo-index.js';\nexport { demoPlugin } from './plugin.js';\n",
    );
    expect(readFileSync(join(root, 'vmakit.config.ts'), 'utf8')).toContain('[...builtinIndexes, demoPlugin]');
    expect(readFileSync(join(root, 'tsconfig.json'), 'utf8')).toContain('"path": "packages/index-demo"');
    // No temporary folder or file is left behind.
    expect(readdirSync(join(root, 'packages')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('creates vmakit.config.ts when there is none', async () => {
    const root = fakeRepo(null);
    const r = await scaffoldIndex({ cwd: root, name: 'alpha', registeredNames: [] });
    expect(r.configCreated).toBe(true);
    expect(readFileSync(join(root, 'vmakit.config.ts'), 'utf8')).toContain(
      '[...builtinIndexes, alphaPlugin]',
    );
  });

  it('refuses bad input and changes nothing', async () => {
    const root = fakeRepo(CONFIG);
    const before = snapshot(root);
    const cases: Array<[Promise<unknown>, string, RegExp]> = [
      [scaffoldIndex({ cwd: root, name: 'Bad_Name', registeredNames: [] }), 'invalid-name', /kebab-case/],
      [scaffoldIndex({ cwd: root, name: 'all', registeredNames: [] }), 'invalid-name', /reserved/],
      [scaffoldIndex({ cwd: root, name: 'maple', registeredNames: [] }), 'exists', /built-in index/],
      [scaffoldIndex({ cwd: root, name: 'taken', registeredNames: [] }), 'exists', /already exists/],
      [scaffoldIndex({ cwd: root, name: 'mine', registeredNames: ['mine'] }), 'exists', /already registered/],
      [
        scaffoldIndex({ cwd: root, name: 'ok', description: 'two\nlines', registeredNames: [] }),
        'invalid-name',
        /one non-empty line/,
      ],
    ];
    for (const [p, code, message] of cases) {
      const err = await refusal(p);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    }
    writeFileSync(join(root, 'vmakit.config.ts'), 'export default {};\n');
    const err = await refusal(scaffoldIndex({ cwd: root, name: 'fine', registeredNames: [] }));
    expect(err.code).toBe('cannot-edit');
    writeFileSync(join(root, 'vmakit.config.ts'), CONFIG);
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses a folder that is not a vmakit repository', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vmakit-scaffold-'));
    let err = await refusal(scaffoldIndex({ cwd: dir, name: 'demo', registeredNames: [] }));
    expect(err.code).toBe('not-a-repo');
    expect(err.exitCode).toBe(4);
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages: []\n');
    err = await refusal(scaffoldIndex({ cwd: dir, name: 'demo', registeredNames: [] }));
    expect(err.message).toMatch(/not a vmakit repository/);
    expect(readdirSync(dir)).toEqual(['pnpm-workspace.yaml']);
  });
});
