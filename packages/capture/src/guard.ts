/**
 * Never leave a stopped process behind: while a capture runs, SIGINT, SIGTERM, an abort signal
 * or the Node process exiting run the capture's cleanups synchronously (resume or kill the
 * target, kill perf) and abort the capture, which then rejects with an 'interrupted' CaptureError.
 * Listeners are removed when the capture ends, so the caller's own signal handling is unchanged
 * afterwards.
 */

/** The cleanups of one capture and the abort signal its waits watch. */
export class CaptureGuard {
  private readonly controller = new AbortController();
  private readonly cleanups = new Set<() => void>();
  private installed = false;
  private readonly onSignal = (): void => {
    this.runCleanups();
    this.controller.abort();
  };
  private readonly onExit = (): void => {
    this.runCleanups();
  };
  private readonly onExternalAbort = (): void => this.onSignal();

  /** @param external an abort signal of the caller, linked to this guard */
  constructor(private readonly external?: AbortSignal) {}

  /** Aborted when the capture must end. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts watching signals. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('exit', this.onExit);
    if (this.external?.aborted === true) this.onSignal();
    else this.external?.addEventListener('abort', this.onExternalAbort, { once: true });
  }

  /** Registers a synchronous cleanup; returns a function that unregisters it. */
  add(fn: () => void): () => void {
    this.cleanups.add(fn);
    return () => this.cleanups.delete(fn);
  }

  /** Runs every cleanup once, most recent first; a failing cleanup does not stop the others. */
  runCleanups(): void {
    const list = [...this.cleanups].reverse();
    this.cleanups.clear();
    for (const fn of list) {
      try {
        fn();
      } catch {
        // best effort: the others must still run
      }
    }
  }

  /** Stops watching. */
  dispose(): void {
    if (!this.installed) return;
    this.installed = false;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('exit', this.onExit);
    this.external?.removeEventListener('abort', this.onExternalAbort);
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
