/**
 * Progress on stderr: cli-progress bars (one per phase) when stderr is a terminal, plain lines
 * otherwise (CI logs, pipes, tests) — a line when a phase starts, at most one every few seconds
 * while it runs, and one when it ends with its wall time. Labels are names from the run, so they
 * are made terminal-safe.
 */
import cliProgress from 'cli-progress';
import { safeName, terminalSafe } from './terminal.js';

/** The progress of one phase. */
export interface PhaseProgress {
  /** One more unit of work finished; `label` says which. */
  tick(label: string, amount?: number): void;
  /** The phase ended (`summary` printed beside it). */
  done(summary?: string): void;
}

/** A progress display for a run made of phases. */
export interface Progress {
  phase(name: string, total: number): PhaseProgress;
  /** A message that must not be garbled by the bars. */
  log(line: string): void;
  stop(): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Plain lines; `intervalMs` limits the in-phase lines. */
export function plainProgress(prefix: string, intervalMs = 2000): Progress {
  return {
    phase(name, total) {
      const t0 = performance.now();
      let last = t0;
      let done = 0;
      process.stderr.write(`${prefix}${safeName(name)}: ${total} to do\n`);
      return {
        tick(label, amount = 1) {
          done += amount;
          const now = performance.now();
          if (now - last >= intervalMs && done < total) {
            last = now;
            process.stderr.write(`${prefix}${safeName(name)}: ${done}/${total} ${safeName(label)}\n`);
          }
        },
        done(summary) {
          const extra = summary === undefined ? '' : `, ${terminalSafe(summary, false)}`;
          process.stderr.write(
            `${prefix}${safeName(name)}: ${done}/${total} done in ${seconds(performance.now() - t0)}${extra}\n`,
          );
        },
      };
    },
    log(line) {
      process.stderr.write(`${terminalSafe(line)}\n`);
    },
    stop() {},
  };
}

/** cli-progress bars on stderr, one per phase. */
export function barProgress(): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {phase} |{bar}| {value}/{total} {duration_formatted} {label}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      etaBuffer: 20,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    phase(name, total) {
      const bar = multi.create(Math.max(total, 1), 0, { phase: safeName(name).padEnd(10), label: '' });
      let done = 0;
      return {
        tick(label, amount = 1) {
          done += amount;
          bar.update(done, { label: safeName(label).slice(0, 60) });
        },
        done(summary) {
          bar.update(Math.max(done, total === 0 ? 1 : done), {
            label: summary === undefined ? 'done' : safeName(summary).slice(0, 60),
          });
        },
      };
    },
    log(line) {
      multi.log(`${terminalSafe(line)}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

/** No progress at all. */
export function silentProgress(): Progress {
  const phase: PhaseProgress = { tick() {}, done() {} };
  return { phase: () => phase, log: () => {}, stop: () => {} };
}

/** Bars on a terminal, plain lines otherwise. */
export function autoProgress(prefix: string): Progress {
  return process.stderr.isTTY === true ? barProgress() : plainProgress(prefix);
}
