/**
 * Ctrl-C and SIGTERM for commands that keep what finished: the first signal aborts the run (the
 * command then writes its partial results and exits 130 or 143); a second one exits at once.
 */
import { EXIT } from './errors.js';

/** What a long command watches. */
export interface Interrupts {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  received(): 'SIGINT' | 'SIGTERM' | null;
  /** Removes the handlers (the default behaviour returns). */
  dispose(): void;
}

/**
 * Installs the handlers. `onFirst` is told about the first signal (to say what happens next); the
 * second signal exits with 130 (SIGINT) or 143 (SIGTERM) without waiting.
 */
export function catchInterrupts(onFirst?: (sig: 'SIGINT' | 'SIGTERM') => void): Interrupts {
  const controller = new AbortController();
  let got: 'SIGINT' | 'SIGTERM' | null = null;
  const handler = (sig: 'SIGINT' | 'SIGTERM') => {
    if (got !== null) process.exit(sig === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
    got = sig;
    onFirst?.(sig);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => got,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
