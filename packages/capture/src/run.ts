/**
 * Runs a helper program (perf, the C compiler) to completion and collects its output, bounded so a
 * chatty program cannot exhaust memory.
 */
import { spawn } from 'node:child_process';

/** How a helper program ended. */
export interface RunResult {
  /** Exit status, null when killed by a signal or not started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The spawn error (e.g. ENOENT: not installed), when it could not start. */
  readonly error: NodeJS.ErrnoException | null;
  /** Killed because it exceeded the timeout. */
  readonly timedOut: boolean;
}

/** Keeps at most `limit` characters: the head and the tail, where programs say what went wrong. */
export class BoundedText {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(private readonly limit = 64 * 1024) {}

  add(chunk: string): void {
    if (this.head.length < this.limit / 2) {
      const room = this.limit / 2 - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk === '') return;
    this.tail += chunk;
    if (this.tail.length > this.limit / 2) {
      this.dropped += this.tail.length - this.limit / 2;
      this.tail = this.tail.slice(this.tail.length - this.limit / 2);
    }
  }

  toString(): string {
    return this.dropped === 0
      ? this.head + this.tail
      : `${this.head}\n[... ${this.dropped} characters ...]\n${this.tail}`;
  }
}

/** Runs `file args` with no input; resolves when it has exited (never rejects). */
export function runProgram(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdout = new BoundedText();
    const stderr = new BoundedText();
    let timedOut = false;
    let settled = false;
    const child = spawn(file, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => stdout.add(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.add(d));
    const timer =
      options.timeoutMs === undefined
        ? null
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const done = (r: Omit<RunResult, 'stdout' | 'stderr' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      resolve({ ...r, stdout: stdout.toString(), stderr: stderr.toString(), timedOut });
    };
    child.on('error', (error: NodeJS.ErrnoException) => done({ code: null, signal: null, error }));
    child.on('close', (code, signal) => done({ code, signal, error: null }));
  });
}
