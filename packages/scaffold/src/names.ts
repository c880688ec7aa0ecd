/**
 * Index names: what `vmakit new index NAME` accepts and the identifiers derived from it.
 */
import { ScaffoldError } from './errors.js';

/** Lowercase kebab-case: a letter first, then letters and digits in dash-separated words. */
export const INDEX_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Longest accepted name (it becomes a folder, a package name and identifiers). */
export const MAX_NAME_LENGTH = 40;

/** The identifiers generated code uses for an index name. */
export interface IndexNames {
  /** The registered name (`--index NAME`), e.g. `my-tree`. */
  readonly name: string;
  /** Class prefix, e.g. `MyTree` (→ `MyTreeIndex`, `createMyTreeIndex`). */
  readonly pascal: string;
  /** Value prefix, e.g. `myTree` (→ `myTreePlugin`). */
  readonly camel: string;
  /** Package name, e.g. `@vmakit/index-my-tree`. */
  readonly packageName: string;
  /** Folder relative to the repository root, e.g. `packages/index-my-tree`. */
  readonly dir: string;
  /** The plug-in export, e.g. `myTreePlugin`. */
  readonly pluginExport: string;
}

/**
 * Checks a proposed index name and derives its identifiers. Throws ScaffoldError('invalid-name')
 * saying what is wrong and what would be accepted. O(length).
 */
export function indexNames(raw: string): IndexNames {
  const name = raw.trim();
  if (name === '') throw new ScaffoldError('invalid-name', 'the index name is empty');
  if (name.startsWith('index-')) {
    throw new ScaffoldError(
      'invalid-name',
      `'${name}': give the name without the 'index-' prefix (the package becomes index-${name.slice(6)})`,
    );
  }
  if (!INDEX_NAME.test(name)) {
    const hint = name
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^[^a-z]+|-+$/g, '');
    const suggestion = INDEX_NAME.test(hint) ? ` (for example '${hint}')` : '';
    throw new ScaffoldError(
      'invalid-name',
      `'${name}' is not a valid index name: use lowercase kebab-case, a letter first, then letters, digits and single dashes${suggestion}`,
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new ScaffoldError(
      'invalid-name',
      `'${name}' is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are accepted`,
    );
  }
  const words = name.split('-');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const camel = pascal[0]!.toLowerCase() + pascal.slice(1);
  return {
    name,
    pascal,
    camel,
    packageName: `@vmakit/index-${name}`,
    dir: `packages/index-${name}`,
    pluginExport: `${camel}Plugin`,
  };
}
