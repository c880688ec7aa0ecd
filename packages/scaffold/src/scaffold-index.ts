/**
 * `vmakit new index NAME`: creates packages/index-NAME as a working copy of the reference index,
 * joins it to the TypeScript solution and registers it in vmakit.config.ts. Every check runs and
 * every new text is computed before anything is written; the package is written into a temporary
 * folder and renamed into place, and the two root files are replaced atomically, so a refusal or a
 * failure leaves the repository as it was.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { builtinIndexes, findConfigFile, loadRegistry } from '@vmakit/registry';
import { addIndexToConfig, newConfigText } from './config-edit.js';
import { ScaffoldError } from './errors.js';
import { type IndexNames, indexNames } from './names.js';
import { openVmakitRepo } from './repo.js';
import { renderPackage } from './templates.js';
import { addReference } from './tsconfig-edit.js';

/** Names `--index` gives a meaning of its own. */
const RESERVED = new Set(['all', 'none', 'builtin', 'baseline', 'limit']);

/** Options of scaffoldIndex(). */
export interface ScaffoldIndexOptions {
  /** A folder inside the vmakit repository (default: the working directory). */
  readonly cwd?: string;
  /** The index name, lowercase kebab-case. */
  readonly name: string;
  /** One line for `vmakit list` and package.json (default: a placeholder to replace). */
  readonly description?: string;
  /**
   * Plug-in names already registered. Default: loaded from the repository's configuration (which
   * imports every plug-in it lists).
   */
  readonly registeredNames?: readonly string[];
}

/** What scaffoldIndex() did. */
export interface ScaffoldResult {
  readonly names: IndexNames;
  /** Repository root. */
  readonly root: string;
  /** Absolute path of the new package folder. */
  readonly packageDir: string;
  /** Files created in it, relative to it, sorted. */
  readonly files: readonly string[];
  /** The configuration file edited or created. */
  readonly configFile: string;
  readonly configCreated: boolean;
  /** The solution file edited. */
  readonly tsconfigFile: string;
}

/** Writes `text` to `path` through a temporary sibling and a rename. */
function replaceFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function checkDescription(description: string): string {
  const d = description.trim();
  if (d === '' || /[\n\r\\`]/.test(d) || d.includes('${')) {
    throw new ScaffoldError(
      'invalid-name',
      'the description must be one non-empty line without backslashes, backquotes or ${',
    );
  }
  return d;
}

/**
 * Creates the package, edits tsconfig.json and vmakit.config.ts. Does not run `pnpm install` (see
 * runPnpmInstall). Throws ScaffoldError — `invalid-name`, `exists`, `not-a-repo`, `cannot-edit` or
 * `write-failed` — with nothing changed.
 */
export async function scaffoldIndex(options: ScaffoldIndexOptions): Promise<ScaffoldResult> {
  const names = indexNames(options.name);
  if (RESERVED.has(names.name)) {
    throw new ScaffoldError(
      'invalid-name',
      `'${names.name}' is reserved on the command line; pick another name`,
    );
  }
  const description = checkDescription(
    options.description ??
      `${names.name}: generated from the reference index (sorted arrays); say what it models`,
  );
  const repo = openVmakitRepo(options.cwd ?? process.cwd());
  const { root } = repo;

  const builtin = builtinIndexes.map((p) => p.meta.name);
  if (builtin.includes(names.name)) {
    throw new ScaffoldError(
      'exists',
      `'${names.name}' is a built-in index (built-ins: ${builtin.join(', ')})`,
    );
  }
  const packageDir = join(root, names.dir);
  if (existsSync(packageDir)) {
    throw new ScaffoldError('exists', `${names.dir} already exists; nothing was written`);
  }
  if (repo.packageNames.has(names.packageName)) {
    throw new ScaffoldError('exists', `a workspace package is already named ${names.packageName}`);
  }
  let registered = options.registeredNames;
  if (registered === undefined) {
    try {
      registered = (await loadRegistry(root)).indexes.map((p) => p.meta.name);
    } catch (err) {
      throw new ScaffoldError(
        'cannot-edit',
        `the repository's configuration does not load, so the new index cannot be registered in it: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (registered.includes(names.name)) {
    throw new ScaffoldError('exists', `an index plug-in named '${names.name}' is already registered`);
  }

  // Compute every change before writing anything.
  const specifier = `./${names.dir}/src/index.js`;
  const existingConfig = findConfigFile(root);
  const configFile = existingConfig ?? join(root, 'vmakit.config.ts');
  let configText: string;
  if (existingConfig !== null) {
    configText = addIndexToConfig(
      readFileSync(existingConfig, 'utf8'),
      basename(existingConfig),
      names.pluginExport,
      specifier,
    );
  } else {
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    if (
      rootPkg.devDependencies?.['@vmakit/registry'] === undefined &&
      rootPkg.dependencies?.['@vmakit/registry'] === undefined
    ) {
      throw new ScaffoldError(
        'cannot-edit',
        'there is no vmakit.config.ts, and the root package.json does not depend on @vmakit/registry, which a new one would import (pnpm add -w -D @vmakit/registry@workspace:*)',
      );
    }
    configText = newConfigText(names.pluginExport, specifier);
  }
  const tsconfigFile = join(root, 'tsconfig.json');
  const tsconfigBefore = readFileSync(tsconfigFile, 'utf8');
  const tsconfigText = addReference(tsconfigBefore, 'tsconfig.json', names.dir);
  const licensePath = join(root, 'LICENSE');
  const files = renderPackage(names, {
    description,
    repositoryUrl: repo.repositoryUrl,
    license: existsSync(licensePath) ? readFileSync(licensePath, 'utf8') : null,
  });

  // The package: written aside, then renamed into place in one step.
  const tmp = join(
    root,
    'packages',
    `.index-${names.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    for (const [rel, text] of files) {
      const path = join(tmp, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    if (existsSync(packageDir))
      throw new ScaffoldError('exists', `${names.dir} appeared while writing; nothing was changed`);
    renameSync(tmp, packageDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (err instanceof ScaffoldError) throw err;
    throw new ScaffoldError(
      'write-failed',
      `could not write ${names.dir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // The root files; on failure the package is removed and tsconfig.json restored.
  try {
    replaceFile(tsconfigFile, tsconfigText);
    replaceFile(configFile, configText);
  } catch (err) {
    rmSync(packageDir, { recursive: true, force: true });
    try {
      replaceFile(tsconfigFile, tsconfigBefore);
    } catch {
      // Reported below; the message names the file to check.
    }
    throw new ScaffoldError(
      'write-failed',
      `could not update tsconfig.json / ${basename(configFile)} (the package was removed again; check both files): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    names,
    root,
    packageDir,
    files: [...files.keys()].sort(),
    configFile,
    configCreated: existingConfig === null,
    tsconfigFile,
  };
}
