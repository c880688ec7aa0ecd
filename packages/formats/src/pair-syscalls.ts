/**
 * Joins each `sys_enter_NAME` with the `sys_exit_NAME` of the same thread. A system call's effect on
 * the address space is known only at its exit (its return value), and a thread is in at most one
 * system call at a time, so pairing is by tid alone. The file-descriptor calls (open, close, dup...)
 * pair the same way and come out as `fdcall` events, apart from the memory calls.
 */
import { ParseError } from '@vmakit/core';
import type { FdSyscallName } from './fd-syscall-signatures.js';
import type {
  FaultEvent,
  FdEnterEvent,
  FdExitEvent,
  LostEvent,
  SysEnterEvent,
  SysExitEvent,
  TraceEvent,
  UnknownEvent,
} from './perf-script.js';
import type { SyscallName } from './syscall-signatures.js';

/** A completed system call, positioned at its exit. */
export interface PairedSyscall {
  readonly kind: 'syscall';
  readonly tid: number;
  readonly comm: string;
  /** CPU of the exit. */
  readonly cpu: number;
  readonly name: SyscallName;
  /** Decoded arguments (see SysEnterEvent.args). */
  readonly args: Readonly<Record<string, number>>;
  /** Raw 64-bit arguments. */
  readonly rawArgs: Readonly<Record<string, bigint>>;
  /** Signed return value (-errno on failure). */
  readonly ret: number;
  /** The same value exactly. */
  readonly retRaw: bigint;
  readonly enterLine: number;
  readonly exitLine: number;
  /** Exit time in seconds: when the effect became visible. */
  readonly time: number;
  /** Exit time as printed. */
  readonly timeText: string;
  /** Entry time in seconds. */
  readonly enterTime: number;
}

/** A completed file-descriptor system call, positioned at its exit (fields as in PairedSyscall). */
export interface PairedFdCall extends Omit<PairedSyscall, 'kind' | 'name'> {
  readonly kind: 'fdcall';
  readonly name: FdSyscallName;
}

/** What the pairer yields: system calls at their exits, other events unchanged, in file order. */
export type PairedEvent = PairedSyscall | PairedFdCall | FaultEvent | LostEvent | UnknownEvent;

/** Options of {@link pairSyscalls}. */
export interface PairOptions {
  /** File name for errors; defaults to the `file` of the event source when it has one. */
  readonly file?: string;
}

/** The fields both kinds of completed calls share. */
function joined(
  enter: SysEnterEvent | FdEnterEvent,
  exit: SysExitEvent | FdExitEvent,
): Omit<PairedSyscall, 'kind' | 'name'> {
  return {
    tid: exit.tid,
    comm: exit.comm,
    cpu: exit.cpu,
    args: enter.args,
    rawArgs: enter.rawArgs,
    ret: exit.ret,
    retRaw: exit.retRaw,
    enterLine: enter.line,
    exitLine: exit.line,
    time: exit.time,
    timeText: exit.timeText,
    enterTime: enter.time,
  };
}

function pair(enter: SysEnterEvent, exit: SysExitEvent): PairedSyscall {
  return { kind: 'syscall', name: exit.name, ...joined(enter, exit) };
}

function pairFd(enter: FdEnterEvent, exit: FdExitEvent): PairedFdCall {
  return { kind: 'fdcall', name: exit.name, ...joined(enter, exit) };
}

/**
 * Pairs a trace's events. Iterate it once; afterwards `unfinished` lists the system calls that had
 * entered but not exited when tracing stopped (in line order) — they had no visible effect yet in
 * the capture, and the caller decides whether that matters.
 */
export class SyscallPairer implements AsyncIterable<PairedEvent> {
  /** Enters without an exit, filled when the iteration completes. */
  readonly unfinished: (SysEnterEvent | FdEnterEvent)[] = [];
  /** File name used in error messages. */
  readonly file: string;
  private started = false;

  constructor(
    private readonly events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
    options: PairOptions = {},
  ) {
    const own = (events as { file?: unknown }).file;
    this.file = options.file ?? (typeof own === 'string' ? own : '<trace>');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PairedEvent, void, undefined> {
    if (this.started) throw new Error(`${this.file}: a SyscallPairer can be iterated only once`);
    this.started = true;
    const open = new Map<number, SysEnterEvent | FdEnterEvent>();
    for await (const e of this.events) {
      switch (e.kind) {
        case 'sys_enter':
        case 'fd_enter': {
          const prev = open.get(e.tid);
          if (prev !== undefined) {
            throw new ParseError(
              this.file,
              e.line,
              `tid ${e.tid} enters ${e.name} while its ${prev.name} entered at line ${prev.line} has not exited (lost events?)`,
            );
          }
          open.set(e.tid, e);
          break;
        }
        case 'sys_exit':
        case 'fd_exit': {
          const enter = open.get(e.tid);
          if (enter === undefined) {
            throw new ParseError(
              this.file,
              e.line,
              `sys_exit_${e.name} of tid ${e.tid} has no matching sys_enter_${e.name}`,
            );
          }
          if (enter.name !== e.name) {
            throw new ParseError(
              this.file,
              e.line,
              `sys_exit_${e.name} of tid ${e.tid} does not match its open sys_enter_${enter.name} at line ${enter.line}`,
            );
          }
          open.delete(e.tid);
          // Equal names imply equal kinds: the two name lists are disjoint.
          if (e.kind === 'sys_exit') yield pair(enter as SysEnterEvent, e);
          else yield pairFd(enter as FdEnterEvent, e);
          break;
        }
        default:
          yield e;
      }
    }
    this.unfinished.push(...[...open.values()].sort((a, b) => a.line - b.line));
  }
}

/**
 * Pairs enter/exit events by tid: yields each completed system call at its exit (memory calls as
 * `syscall`, fd calls as `fdcall`), and faults (and
 * lost/unknown events) in order. Throws ParseError for an exit without its enter, a mismatched exit,
 * or a second enter on a thread already inside a system call. O(events) time, O(threads) memory.
 */
export function pairSyscalls(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  options: PairOptions = {},
): SyscallPairer {
  return new SyscallPairer(events, options);
}
