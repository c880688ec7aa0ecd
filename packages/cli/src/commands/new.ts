/**
 * `vmakit new index NAME`: scaffolds packages/index-NAME from the reference index, joins it to the
 * TypeScript solution, registers it in vmakit.config.ts and links it with `pnpm install`. Refusals
 * print one line and exit with the status of their reason (see SCAFFOLD_EXIT in @vmakit/scaffold).
 */
import { relative } from 'node:path';
import { runPnpmInstall, ScaffoldError, scaffoldIndex } from '@vmakit/scaffold';
import type { Command } from 'commander';
import { printJson } from '../output.js';

interface NewIndexOptions {
  description?: string;
  install: boolean;
  root?: string;
  format: string;
}

/** Registers the command. */
export function registerNew(program: Command): void {
  const cmd = program.command('new').description('create a new plug-in package in this repository');
  cmd
    .command('index')
    .description(
      'create packages/index-NAME (a working copy of the reference index), register it in vmakit.config.ts and run pnpm install',
    )
    .argument('<name>', 'index name, lowercase kebab-case (e.g. my-tree)')
    .option('--description <text>', 'one line for vmakit list and package.json')
    .option('--no-install', 'do not run pnpm install afterwards (run it yourself)')
    .option('--root <dir>', 'a folder inside the vmakit repository (default: the working directory)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (name: string, opts: NewIndexOptions) => {
      if (opts.format !== 'text' && opts.format !== 'json') {
        throw new Error(`--format must be 'text' or 'json', not '${opts.format}'`);
      }
      try {
        const r = await scaffoldIndex({
          name,
          cwd: opts.root ?? process.cwd(),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        });
        const dir = relative(r.root, r.packageDir);
        const config = relative(r.root, r.configFile);
        if (opts.install) runPnpmInstall(r.root, { stdio: opts.format === 'json' ? 'pipe' : 'inherit' });
        if (opts.format === 'json') {
          printJson({
            name: r.names.name,
            package: r.names.packageName,
            dir,
            files: r.files,
            config,
            config_created: r.configCreated,
            installed: opts.install,
          });
          return;
        }
        const next: Array<[string, string]> = [
          [`npx vitest run --project ${r.names.packageName}`, 'the conformance suite'],
          ['pnpm vmakit list', 'it is registered'],
          [`pnpm vmakit replay fixtures/captures/mmap-touch --index ${r.names.name}`, 'a real process on it'],
          [`pnpm vmakit bench indexes --index ${r.names.name}`, 'numbers for its README'],
        ];
        const width = Math.max(...next.map(([c]) => c.length));
        process.stdout.write(
          [
            `created ${dir} (${r.names.packageName}): ${r.files.join(', ')}`,
            `registered ${r.names.pluginExport} in ${config}; added ${dir} to tsconfig.json`,
            opts.install ? 'linked it with pnpm install' : 'next: pnpm install (to link the package)',
            '',
            'then:',
            ...next.map(([c, why]) => `  ${c.padEnd(width)}  # ${why}`),
            '',
          ].join('\n'),
        );
      } catch (err) {
        if (!(err instanceof ScaffoldError)) throw err;
        process.stderr.write(`vmakit new index: ${err.message}\n`);
        process.exitCode = err.exitCode;
      }
    });
}
