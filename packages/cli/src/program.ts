/**
 * The `vmakit` command tree. Each command lives in its own module under commands/.
 */
import { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCapture } from './commands/capture.js';
import { registerCompare } from './commands/compare.js';
import { registerCompareRuns } from './commands/compare-runs.js';
import { registerList } from './commands/list.js';
import { registerMerge } from './commands/merge.js';
import { registerNew } from './commands/new.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
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
  registerReport(program);
  registerMerge(program);
  registerCompareRuns(program);
  registerVectors(program, registry);
  registerSim(program, registry);
  registerBench(program, registry);
  registerCapture(program);
  registerNew(program);
  return program;
}
