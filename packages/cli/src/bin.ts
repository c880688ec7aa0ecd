#!/usr/bin/env node
/**
 * Entry point: turns vmakit's own errors into one clear line and a non-zero exit status.
 */
import { VmakitError } from '@vmakit/core';
import { CommanderError } from 'commander';
import { CheckFailedError, EXIT, InterruptedError, isSystemInputError } from './errors.js';
import { buildProgram } from './program.js';
import { terminalSafe } from './terminal.js';

// A reader that stops early (`vmakit list | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof InterruptedError) {
      process.exitCode = err.signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
      return;
    }
    if (err instanceof VmakitError || isSystemInputError(err)) {
      process.stderr.write(`vmakit: ${terminalSafe(err.message)}\n`);
      process.exitCode = err instanceof CheckFailedError ? EXIT.checkFailed : EXIT.usage;
      return;
    }
    throw err;
  }
}

await main();
