/**
 * The `vmakit` command tree. Each command lives in its own module under commands/.
 */
import { Command } from 'commander';
import { registerCompare } from './commands/compare.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerReplay } from './commands/replay.js';
import { registerSim } from './commands/sim.js';
import { registerVectors } from './commands/vectors.js';
import { projectRegistry, type RegistrySource } from './registry.js';

/** Build the program; `registry` is resolved lazily so `--help` stays fast. */
export function buildProgram(registry: RegistrySource = projectRegistry): Command {
  const program = new Command('vmakit')
    .description('Compare VMA indexes and page-fault concurrency strategies with Linux-faithful models')
    .showHelpAfterError()
    .exitOverride();
  registerList(program, registry);
  registerReplay(program, registry);
  registerCompare(program, registry);
  registerVectors(program, registry);
  registerSim(program, registry);
  registerNew(program);
  return program;
}
