/**
 * Running tasks on the machine's cores. Simulated points and replays are deterministic, so running
 * them in parallel worker threads changes only the wall time, never a result. The pool also keeps
 * the main thread free to react to Ctrl-C while a long simulation runs.
 */
import { Worker } from 'node:worker_threads';
import { VmakitError } from '@vmakit/core';
import type { Registry } from '@vmakit/registry';
import { deserializeError, type WorkerData, type WorkerReply, type WorkerRequest } from './protocol.js';
import { type Task, type TaskResult, taskExecutor } from './tasks.js';

/** The pool was aborted before the task finished. */
export class PoolAbortedError extends VmakitError {
  override readonly name = 'PoolAbortedError';
}

/** Runs tasks, up to `size` at once. */
export interface TaskPool {
  readonly size: number;
  run<T extends Task>(task: T): Promise<TaskResult<T>>;
  /** Rejects queued and running tasks with PoolAbortedError and stops the workers. */
  abort(): Promise<void>;
  /** Stops the workers once idle. */
  close(): Promise<void>;
}

interface Pending {
  readonly id: number;
  readonly task: Task;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: Pending | null;
}

/** How long an aborted worker may take to stop by itself (its memory children) before it is terminated. */
const ABORT_GRACE_MS = 300;

/** A pool of `size` worker threads that load the registry of `projectDir`. */
export function workerPool(size: number, projectDir: string): TaskPool {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let aborted = false;

  const fail = (slot: Slot, err: unknown) => {
    const p = slot.busy;
    slot.busy = null;
    p?.reject(err);
  };

  const start = (): Slot => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { projectDir } satisfies WorkerData,
    });
    let readyResolve!: () => void;
    let readyReject!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => {});
    const slot: Slot = { worker, ready, busy: null };
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') readyResolve();
      else if (msg.type === 'fatal') {
        const err = deserializeError(msg.error);
        readyReject(err);
        fail(slot, err);
        for (const p of queue.splice(0)) p.reject(err);
      } else if (slot.busy !== null && slot.busy.id === msg.id) {
        const p = slot.busy;
        slot.busy = null;
        if (msg.type === 'result') p.resolve(msg.result);
        else p.reject(deserializeError(msg.error));
        pump();
      }
    });
    worker.on('error', (err) => {
      readyReject(err);
      fail(slot, err);
    });
    worker.on('exit', (code) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (slot.busy !== null)
        fail(slot, aborted ? new PoolAbortedError('aborted') : new Error(`worker exited with code ${code}`));
      if (!aborted) pump();
    });
    return slot;
  };

  const pump = () => {
    if (aborted) return;
    while (queue.length > 0) {
      let slot = slots.find((s) => s.busy === null);
      if (slot === undefined && slots.length < size) {
        slot = start();
        slots.push(slot);
      }
      if (slot === undefined) return;
      const p = queue.shift()!;
      slot.busy = p;
      const s = slot;
      s.ready.then(
        () => s.worker.postMessage({ type: 'task', id: p.id, task: p.task } satisfies WorkerRequest),
        (err: unknown) => fail(s, err),
      );
    }
  };

  return {
    size,
    run<T extends Task>(task: T): Promise<TaskResult<T>> {
      if (aborted) return Promise.reject(new PoolAbortedError('aborted'));
      return new Promise<TaskResult<T>>((resolve, reject) => {
        queue.push({ id: nextId++, task, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    async abort() {
      if (aborted) return;
      aborted = true;
      for (const p of queue.splice(0)) p.reject(new PoolAbortedError('aborted'));
      await Promise.all(
        slots.map(async (s) => {
          s.worker.postMessage({ type: 'abort' } satisfies WorkerRequest);
          if (s.busy !== null) await new Promise((r) => setTimeout(r, ABORT_GRACE_MS));
          fail(s, new PoolAbortedError('aborted'));
          await s.worker.terminate();
        }),
      );
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * A pool that runs tasks one at a time in this thread (for a registry that worker threads cannot
 * load, or `--jobs 1` runs). It yields to the event loop before each task so a signal is seen
 * between tasks; a benchmark task also gets the abort signal.
 */
export function inlinePool(registry: Registry): TaskPool {
  const executor = taskExecutor(registry);
  const controller = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  return {
    size: 1,
    run<T extends Task>(task: T): Promise<TaskResult<T>> {
      const next = chain.then(async () => {
        await new Promise((r) => setImmediate(r));
        if (controller.signal.aborted) throw new PoolAbortedError('aborted');
        return executor.run(task, controller.signal);
      });
      chain = next.catch(() => {});
      return next as Promise<TaskResult<T>>;
    },
    async abort() {
      controller.abort();
    },
    async close() {},
  };
}
