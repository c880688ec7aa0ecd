/**
 * Messages between the task pool and its worker threads, and how errors cross the boundary: a
 * vmakit error (bad input, unknown name, failed check) keeps its name and message so the command
 * reports it as the user's problem; anything else keeps its stack so a bug stays visible.
 */
import { VmakitError } from '@vmakit/core';
import type { Task } from './tasks.js';

/** What a worker is started with. */
export interface WorkerData {
  /** Folder whose vmakit.config (or the built-in preset) gives the registry. */
  readonly projectDir: string;
}

/** Pool → worker. */
export type WorkerRequest =
  | { readonly type: 'task'; readonly id: number; readonly task: Task }
  | { readonly type: 'abort' };

/** An error as it crosses a thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly vmakit: boolean;
  readonly stack?: string;
}

/** Worker → pool. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

/** The error as plain data. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return {
      name: err.name,
      message: err.message,
      vmakit: err instanceof VmakitError,
      ...(err.stack !== undefined ? { stack: err.stack } : {}),
    };
  }
  return { name: 'Error', message: String(err), vmakit: false };
}

/** A vmakit error raised in a worker, re-raised in the main thread under its original name. */
export class WorkerTaskError extends VmakitError {
  override readonly name: string;
  constructor(e: SerializedError) {
    super(e.message);
    this.name = e.name;
  }
}

/** The error to throw in the main thread for a serialized one. */
export function deserializeError(e: SerializedError): Error {
  if (e.vmakit) return new WorkerTaskError(e);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
