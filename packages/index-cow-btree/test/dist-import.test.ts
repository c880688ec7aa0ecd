/**
 * sorted-btree is CommonJS with `exports.default = BTree`. vitest unwraps the default export, plain
 * Node ESM does not, so only a run of the built output under plain `node` proves the adapter.
 * Build first: `npx tsc -b packages/index-cow-btree`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distEntry = join(pkgDir, 'dist', 'index.js');
const coreDist = join(pkgDir, '..', 'core', 'dist', 'index.js');

function whyNotRunnable(): string | null {
  if (!existsSync(distEntry) || !existsSync(coreDist)) {
    return 'dist is absent; build with `npx tsc -b packages/index-cow-btree`';
  }
  // tsc -b re-emits only the files whose source changed, so compare file by file.
  const srcDir = join(pkgDir, 'src');
  for (const f of readdirSync(srcDir).filter((name) => name.endsWith('.ts'))) {
    const out = join(pkgDir, 'dist', f.replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(join(srcDir, f)).mtimeMs) {
      return `dist/${f.replace(/\.ts$/, '.js')} is missing or older than src; rebuild with \`npx tsc -b packages/index-cow-btree\``;
    }
  }
  return null;
}

const reason = whyNotRunnable();

function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: pkgDir,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cow-btree built output under plain Node ESM', () => {
  it.skipIf(reason !== null)(`works outside vitest${reason === null ? '' : ` (skipped: ${reason})`}`, () => {
    const script = `
      import { createCowBtreeIndex } from ${JSON.stringify(pathToFileURL(distEntry).href)};
      import raw from 'sorted-btree';
      const ix = createCowBtreeIndex();
      for (let i = 0; i < 100; i++) ix.insert(i * 0x2000, i * 0x2000 + 0x1000, { id: i });
      const reader = ix.openReader();
      ix.eraseAt(0x4000);
      ix.validate();
      console.log(JSON.stringify({
        trap: typeof raw,
        trapDefault: typeof raw.default,
        size: ix.size,
        find: ix.find(0x4000).id,
        readerFind: reader.find(0x4000).id,
      }));
    `;
    const r = runNode(script);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      // The trap itself: a plain default import is the module object, the class sits under .default.
      trap: 'object',
      trapDefault: 'function',
      size: 99,
      find: 3,
      readerFind: 2,
    });
  });
});
