/**
 * The files of a new index package: the templates under `template/` with the name substituted, and
 * package.json built as data. The templates are a working copy of the reference index that passes
 * the conformance suite as generated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndexNames } from './names.js';

/** The template folder (next to src/ and dist/ alike). */
export const TEMPLATE_DIR = fileURLToPath(new URL('../template/', import.meta.url));

/** What goes into the generated files besides the names. */
export interface TemplateValues {
  /** One line for `vmakit list` and package.json. */
  readonly description: string;
  /** `repository.url` for package.json, or null to leave `repository` out. */
  readonly repositoryUrl: string | null;
  /** The MIT licence text to copy into the package (the repository's LICENSE), or null. */
  readonly license: string | null;
}

function listTemplates(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTemplates(path));
    else if (entry.name.endsWith('.tpl')) out.push(path);
  }
  return out.sort();
}

/** Names in one export list, in the order Biome's organizeImports wants (case-insensitive). */
function sortedNames(list: readonly string[]): string {
  return [...list].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)).join(', ');
}

function substitute(text: string, names: IndexNames, values: TemplateValues): string {
  return text
    .replaceAll('__indexExports__', sortedNames([`${names.pascal}Index`, `create${names.pascal}Index`]))
    .replaceAll('__nameCamel__', names.camel)
    .replaceAll('__Name__', names.pascal)
    .replaceAll('__name__', names.name)
    .replaceAll('__description__', values.description.replaceAll("'", '’'));
}

/** package.json of the new package: publishable fields, workspace dependencies. */
export function packageJson(names: IndexNames, values: TemplateValues): string {
  const pkg: Record<string, unknown> = {
    name: names.packageName,
    version: '0.1.0',
    description: values.description,
    keywords: ['vmakit', 'vmakit-index', 'vma', 'linux', 'memory-management'],
    type: 'module',
    license: 'MIT',
  };
  if (values.repositoryUrl !== null) {
    pkg.repository = { type: 'git', url: values.repositoryUrl, directory: names.dir };
  }
  Object.assign(pkg, {
    sideEffects: false,
    exports: {
      '.': {
        'vmakit-source': './src/index.ts',
        types: './dist/index.d.ts',
        default: './dist/index.js',
      },
    },
    types: './dist/index.d.ts',
    files: ['dist', 'src', 'README.md', 'LICENSE'],
    engines: { node: '>=20.19' },
    publishConfig: { access: 'public' },
    dependencies: { '@vmakit/core': 'workspace:*' },
    devDependencies: { '@vmakit/testkit': 'workspace:*' },
  });
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Every file of the new package: path relative to the package folder → contents. */
export function renderPackage(names: IndexNames, values: TemplateValues): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of listTemplates(TEMPLATE_DIR)) {
    const rel = relative(TEMPLATE_DIR, path).slice(0, -'.tpl'.length).split('\\').join('/');
    files.set(substitute(rel, names, values), substitute(readFileSync(path, 'utf8'), names, values));
  }
  files.set('package.json', packageJson(names, values));
  if (values.license !== null) files.set('LICENSE', values.license);
  return files;
}
