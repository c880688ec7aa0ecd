/**
 * Adds a package to the root solution file (tsconfig.json `references`), so `tsc -b` builds it.
 */
import { ScaffoldError } from './errors.js';

/**
 * The solution file with `{ "path": dir }` added after the last `packages/index-*` reference (else
 * last). The file must be plain JSON (it is printed back as `JSON.stringify(…, null, 2)`, which is
 * how Biome formats it); comments or a missing `references` array are refused. O(size).
 */
export function addReference(text: string, file: string, dir: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScaffoldError(
      'cannot-edit',
      `${file} is not plain JSON (${err instanceof Error ? err.message : String(err)}); add { "path": "${dir}" } to its references by hand`,
    );
  }
  const refs = (json as { references?: unknown }).references;
  if (json === null || typeof json !== 'object' || !Array.isArray(refs)) {
    throw new ScaffoldError(
      'cannot-edit',
      `${file} has no "references" array; add { "path": "${dir}" } by hand`,
    );
  }
  const paths = refs.map((r: unknown) => (r as { path?: unknown } | null)?.path);
  if (paths.some((p) => typeof p === 'string' && p.replace(/^\.\//, '').replace(/\/$/, '') === dir)) {
    throw new ScaffoldError('exists', `${file} already references ${dir}`);
  }
  let at = refs.length;
  paths.forEach((p, i) => {
    if (typeof p === 'string' && p.replace(/^\.\//, '').startsWith('packages/index-')) at = i + 1;
  });
  refs.splice(at, 0, { path: dir });
  return `${JSON.stringify(json, null, 2)}\n`;
}
