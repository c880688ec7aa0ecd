/**
 * The text `perf script -F comm,tid,cpu,time,event,trace` prints for the capture's tracepoints:
 *
 *     <comm> <tid> [<cpu>] <sec>.<usec>: <subsystem>:<event>: <fields>
 *
 * (tools/perf/builtin-script.c perf_sample__fprintf_start(): comm right-aligned in 16 columns, tid,
 * `[%03d]` cpu, `%12s:` time; then the event name right-aligned and the tracepoint's own output.)
 * The comm is whatever the thread named itself and may hold spaces, digits, brackets or colons, so
 * the header is recognised from its right end: `<tid> [<cpu>] <time>: <event>` where the event is a
 * `subsys:name:` token or a `PERF_RECORD_*` record name.
 *
 * Address representation: 64-bit values are read exactly (BigInt) and exposed as Numbers, which are
 * exact below 2^53 — every user address, since TASK_SIZE is 2^47 — and for any page-aligned value.
 * For fault addresses and IPs the page (`addressPage`, exact up to 2^64) and the offset in the page
 * (`addressOffset`) are given too, so kernel-half addresses such as the vsyscall page stay exact.
 */
import { ParseError } from '@vmakit/core';
import { FD_SYSCALL_SIGNATURES, type FdSyscallName, isFdSyscallName } from './fd-syscall-signatures.js';
import { type ByteSource, readLineBatches, splitLines } from './line-source.js';
import {
  decimalToNumber,
  type Hex64,
  prefixedHexToBigInt,
  prefixedHexToHex64,
  quote,
  toSigned32,
  toSigned64,
} from './numbers.js';
import {
  isSyscallName,
  SYSCALL_SIGNATURES,
  type SyscallName,
  type SyscallParam,
} from './syscall-signatures.js';

/** Fields every event carries. */
export interface TraceEventBase {
  /** 1-based line in the trace file. */
  readonly line: number;
  /** Thread name (may contain spaces and digits). */
  readonly comm: string;
  /** Process id when perf printed `pid/tid`, else null. */
  readonly pid: number | null;
  /** Thread id (-1 when perf could not attribute the record). */
  readonly tid: number;
  /** CPU the event happened on. */
  readonly cpu: number;
  /** Timestamp in seconds (a double: microsecond text is not exactly representable). */
  readonly time: number;
  /** The timestamp exactly as printed, e.g. `3161.702987`. */
  readonly timeText: string;
}

/** exceptions:page_fault_user (arch/x86/include/asm/trace/exceptions.h). */
export interface FaultEvent extends TraceEventBase {
  readonly kind: 'fault';
  /** Faulting address: exact below 2^53 (all user addresses). */
  readonly address: number;
  /** `address` rounded down to its page: exact for every 64-bit address. */
  readonly addressPage: number;
  /** `address` modulo the page size. */
  readonly addressOffset: number;
  /** Instruction pointer: exact below 2^53. */
  readonly ip: number;
  /** `ip` rounded down to its page: exact for every 64-bit value. */
  readonly ipPage: number;
  /** `ip` modulo the page size. */
  readonly ipOffset: number;
  /** x86 page-fault error code (X86_PF_* bits). */
  readonly errorCode: number;
}

/** syscalls:sys_enter_NAME. */
export interface SysEnterEvent extends TraceEventBase {
  readonly kind: 'sys_enter';
  readonly name: SyscallName;
  /**
   * Arguments decoded by C type: `int` parameters are the signed low 32 bits (`fd: 0xffffffff` is
   * -1); `unsigned long`/`size_t`/pointers are unsigned 64-bit, exact below 2^53 and when
   * page-aligned.
   */
  readonly args: Readonly<Record<string, number>>;
  /** The raw 64-bit values as printed, exact. */
  readonly rawArgs: Readonly<Record<string, bigint>>;
}

/** syscalls:sys_exit_NAME. */
export interface SysExitEvent extends TraceEventBase {
  readonly kind: 'sys_exit';
  readonly name: SyscallName;
  /** Return value as a signed `long`: -errno on failure, else the result (exact below 2^53). */
  readonly ret: number;
  /** The same value exactly. */
  readonly retRaw: bigint;
}

/**
 * syscalls:sys_enter_NAME of a file-descriptor call (open, close, dup...): kept apart from the
 * memory calls because it changes no mapping, only what a later file mmap's descriptor stands for.
 */
export interface FdEnterEvent extends TraceEventBase {
  readonly kind: 'fd_enter';
  readonly name: FdSyscallName;
  /** Arguments decoded by C type, as in SysEnterEvent. */
  readonly args: Readonly<Record<string, number>>;
  /** The raw 64-bit values as printed, exact. */
  readonly rawArgs: Readonly<Record<string, bigint>>;
}

/** syscalls:sys_exit_NAME of a file-descriptor call. */
export interface FdExitEvent extends TraceEventBase {
  readonly kind: 'fd_exit';
  readonly name: FdSyscallName;
  /** Return value as a signed `long` (the new descriptor, 0, or -errno). */
  readonly ret: number;
  /** The same value exactly. */
  readonly retRaw: bigint;
}

/** A `PERF_RECORD_LOST*` line (`perf script --show-lost-events`): the capture is incomplete. */
export interface LostEvent extends TraceEventBase {
  readonly kind: 'lost';
  /** Record name without the prefix: `LOST` or `LOST_SAMPLES`. */
  readonly record: string;
  /** Number of events lost, when printed. */
  readonly count: number | null;
}

/** An event this parser does not know, kept only with `allowUnknown`. */
export interface UnknownEvent extends TraceEventBase {
  readonly kind: 'unknown';
  /** Event name as printed (e.g. `sched:sched_switch`, `PERF_RECORD_COMM`). */
  readonly event: string;
  /** The rest of the line. */
  readonly fields: string;
}

/** One parsed line of the trace. */
export type TraceEvent =
  | FaultEvent
  | SysEnterEvent
  | SysExitEvent
  | FdEnterEvent
  | FdExitEvent
  | LostEvent
  | UnknownEvent;

/** Options of the trace parsers. */
export interface TraceOptions {
  /** Keep unknown events as `unknown` events (counted in the summary) instead of throwing. */
  readonly allowUnknown?: boolean;
  /**
   * Yield `lost` events instead of throwing at the first `PERF_RECORD_LOST*` line. A caller that
   * accepts them must decide whether an incomplete capture is usable (summary.lostRecords).
   */
  readonly allowLost?: boolean;
  /** Accept timestamps that go backwards (perf script sorts them; by default a regression is an error). */
  readonly allowUnorderedTime?: boolean;
}

/** Counts over a parsed trace. */
export interface TraceSummary {
  /** Lines read, including skipped blank and `#` lines. */
  lines: number;
  /** exceptions:page_fault_user events. */
  faults: number;
  /** sys_enter count per system call. */
  sysEnter: Partial<Record<SyscallName, number>>;
  /** sys_exit count per system call. */
  sysExit: Partial<Record<SyscallName, number>>;
  /** sys_enter count per fd system call. */
  fdEnter: Partial<Record<FdSyscallName, number>>;
  /** sys_exit count per fd system call. */
  fdExit: Partial<Record<FdSyscallName, number>>;
  /** `PERF_RECORD_LOST*` lines seen (only non-zero with allowLost). */
  lostRecords: number;
  /** Sum of their counts. */
  lostEvents: number;
  /** Unknown event names and how often they occurred (only with allowUnknown). */
  unknown: Record<string, number>;
}

/** A fresh, zeroed summary. */
export function emptyTraceSummary(): TraceSummary {
  return {
    lines: 0,
    faults: 0,
    sysEnter: {},
    sysExit: {},
    fdEnter: {},
    fdExit: {},
    lostRecords: 0,
    lostEvents: 0,
    unknown: {},
  };
}

const FAULT_EVENT = 'exceptions:page_fault_user';
const ENTER_PREFIX = 'syscalls:sys_enter_';
const EXIT_PREFIX = 'syscalls:sys_exit_';
const RECORD_PREFIX = 'PERF_RECORD_';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

interface Header {
  comm: string;
  pid: number | null;
  tid: number;
  cpu: number;
  timeText: string;
  /** Event token without its trailing ':'. */
  event: string;
  /** Text after the event token and its separating space. */
  fields: string;
}

/** Tries to read the header whose time token ends at the ':' at index `c`; null when it does not fit. */
function headerAt(text: string, c: number): Header | null {
  if (c + 1 < text.length && text.charCodeAt(c + 1) !== 32) return null;
  // <sec>.<usec>
  let k = c - 1;
  let dots = 0;
  let digitsAfterDot = 0;
  let digitsBeforeDot = 0;
  while (k >= 0) {
    const ch = text.charCodeAt(k);
    if (isDigit(ch)) {
      if (dots === 0) digitsAfterDot++;
      else digitsBeforeDot++;
    } else if (ch === 46 && dots === 0) dots++;
    else break;
    k--;
  }
  if (dots !== 1 || digitsAfterDot === 0 || digitsBeforeDot === 0 || k < 0 || text.charCodeAt(k) !== 32)
    return null;
  const timeText = text.slice(k + 1, c);
  while (k >= 0 && text.charCodeAt(k) === 32) k--;
  // [<cpu>]
  if (k < 0 || text.charCodeAt(k) !== 93) return null;
  const cpuEnd = k;
  k--;
  while (k >= 0 && isDigit(text.charCodeAt(k))) k--;
  if (k < 0 || text.charCodeAt(k) !== 91 || k + 1 === cpuEnd) return null;
  const cpu = decimalToNumber(text.slice(k + 1, cpuEnd));
  if (cpu === null || k === 0 || text.charCodeAt(k - 1) !== 32) return null;
  k--;
  while (k >= 0 && text.charCodeAt(k) === 32) k--;
  // <tid> | <pid>/<tid> | -1
  const tidEnd = k + 1;
  while (k >= 0) {
    const ch = text.charCodeAt(k);
    if (isDigit(ch) || ch === 47 || ch === 45) k--;
    else break;
  }
  if (k >= 0 && text.charCodeAt(k) !== 32) return null;
  const tidText = text.slice(k + 1, tidEnd);
  let pid: number | null = null;
  let tid: number | null;
  const slash = tidText.indexOf('/');
  const num = (s: string): number | null => {
    if (s === '-1') return -1;
    return decimalToNumber(s);
  };
  if (slash >= 0) {
    pid = num(tidText.slice(0, slash));
    tid = num(tidText.slice(slash + 1).trim());
    if (pid === null) return null;
  } else tid = num(tidText);
  if (tid === null) return null;
  // The event token follows the time.
  let e = c + 1;
  while (e < text.length && text.charCodeAt(e) === 32) e++;
  let eEnd = text.indexOf(' ', e);
  if (eEnd < 0) eEnd = text.length;
  const token = text.slice(e, eEnd);
  let event: string;
  if (token.startsWith(RECORD_PREFIX)) event = token;
  else if (token.length > 2 && token.endsWith(':') && token.indexOf(':') < token.length - 1)
    event = token.slice(0, -1);
  else return null;
  return {
    comm: text.slice(0, k + 1).trim(),
    pid,
    tid,
    cpu,
    timeText,
    event,
    fields: eEnd < text.length ? text.slice(eEnd + 1) : '',
  };
}

function isTracedCall(name: string): boolean {
  return isSyscallName(name) || isFdSyscallName(name);
}

function isKnownEvent(ev: string): boolean {
  return (
    ev === FAULT_EVENT ||
    ev.startsWith('PERF_RECORD_LOST') ||
    (ev.startsWith(ENTER_PREFIX) && isTracedCall(ev.slice(ENTER_PREFIX.length))) ||
    (ev.startsWith(EXIT_PREFIX) && isTracedCall(ev.slice(EXIT_PREFIX.length)))
  );
}

/**
 * Finds the header. A comm can itself look like a header (`1 [0] 1.0: a:b:` fits in the 15
 * characters of TASK_COMM_LEN), so the first header-shaped position whose event is one this parser
 * knows wins — no 15-character comm can contain such a name; failing that, the first header-shaped
 * position (its event is then reported as unknown). O(length).
 */
function parseHeader(text: string, file: string, line: number): Header {
  let first: Header | null = null;
  for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
    const h = headerAt(text, c);
    if (h === null) continue;
    if (isKnownEvent(h.event)) return h;
    first ??= h;
  }
  if (first !== null) return first;
  throw new ParseError(
    file,
    line,
    `expected '<comm> <tid> [<cpu>] <seconds>.<micros>: <subsys>:<event>: <fields>', found ${quote(text, 80)}`,
  );
}

function hexField(value: string, what: string, file: string, line: number): bigint {
  const v = prefixedHexToBigInt(value);
  if (v === null)
    throw new ParseError(file, line, `${what}: expected 0x-prefixed 64-bit hex, found ${quote(value)}`);
  return v;
}

function parseFault(h: Header, base: TraceEventBase, file: string, line: number): FaultEvent {
  const parts = h.fields.trim().split(' ');
  if (parts.length !== 3) {
    throw new ParseError(
      file,
      line,
      `${FAULT_EVENT}: expected 'address=0x.. ip=0x.. error_code=0x..', found ${quote(h.fields, 80)}`,
    );
  }
  const address = faultField(parts[0]!, 'address', file, line);
  const ip = faultField(parts[1]!, 'ip', file, line);
  const errorCode = faultField(parts[2]!, 'error_code', file, line);
  if (errorCode.value > 0xffffffff) {
    throw new ParseError(file, line, `error_code ${parts[2]!.slice(11)} is wider than 32 bits`);
  }
  return {
    line: base.line,
    comm: base.comm,
    pid: base.pid,
    tid: base.tid,
    cpu: base.cpu,
    time: base.time,
    timeText: base.timeText,
    kind: 'fault',
    address: address.value,
    addressPage: address.page,
    addressOffset: address.offset,
    ip: ip.value,
    ipPage: ip.page,
    ipOffset: ip.offset,
    errorCode: errorCode.value,
  };
}

function faultField(part: string, key: string, file: string, line: number): Hex64 {
  if (!part.startsWith(key) || part.charCodeAt(key.length) !== 61) {
    throw new ParseError(file, line, `${FAULT_EVENT}: expected field '${key}=', found ${quote(part)}`);
  }
  const v = prefixedHexToHex64(part.slice(key.length + 1));
  if (v === null) {
    throw new ParseError(
      file,
      line,
      `${key}: expected 0x-prefixed 64-bit hex, found ${quote(part.slice(key.length + 1))}`,
    );
  }
  return v;
}

/** Decodes the `name: 0x..` fields of a sys_enter line against the call's parameters. */
function parseArgs(
  name: string,
  params: readonly SyscallParam[],
  h: Header,
  file: string,
  line: number,
): { args: Record<string, number>; rawArgs: Record<string, bigint> } {
  const body = h.fields.trim();
  const parts = body === '' ? [] : body.split(', ');
  if (parts.length !== params.length) {
    const expected = params.map((p) => `${p.name}: 0x..`).join(', ');
    throw new ParseError(
      file,
      line,
      `sys_enter_${name}: expected ${params.length} fields '${expected}', found ${parts.length}: ${quote(body, 80)}`,
    );
  }
  const args: Record<string, number> = {};
  const rawArgs: Record<string, bigint> = {};
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const part = parts[i]!;
    if (!part.startsWith(`${p.name}: `)) {
      throw new ParseError(
        file,
        line,
        `sys_enter_${name}: expected field '${p.name}: 0x..', found ${quote(part)}`,
      );
    }
    const raw = hexField(part.slice(p.name.length + 2), `sys_enter_${name} ${p.name}`, file, line);
    rawArgs[p.name] = raw;
    args[p.name] = p.type === 'int' ? toSigned32(raw) : Number(raw);
  }
  return { args, rawArgs };
}

function parseEnter(
  name: SyscallName,
  h: Header,
  base: TraceEventBase,
  file: string,
  line: number,
): SysEnterEvent {
  const { args, rawArgs } = parseArgs(name, SYSCALL_SIGNATURES[name], h, file, line);
  return { ...base, kind: 'sys_enter', name, args, rawArgs };
}

function parseFdEnter(
  name: FdSyscallName,
  h: Header,
  base: TraceEventBase,
  file: string,
  line: number,
): FdEnterEvent {
  const { args, rawArgs } = parseArgs(name, FD_SYSCALL_SIGNATURES[name], h, file, line);
  return { ...base, kind: 'fd_enter', name, args, rawArgs };
}

/** The return value of a sys_exit line as a signed 64-bit value. */
function parseRet(name: string, h: Header, file: string, line: number): bigint {
  const body = h.fields.trim();
  let raw: bigint | null;
  if (body.startsWith('-')) {
    // Some perf versions print a negative return in decimal.
    const n = decimalToNumber(body.slice(1));
    raw = n === null ? null : -BigInt(n);
  } else if (body.startsWith('0x') || body.startsWith('0X')) {
    const u = prefixedHexToBigInt(body);
    raw = u === null ? null : toSigned64(u);
  } else {
    const n = decimalToNumber(body);
    raw = n === null ? null : BigInt(n);
  }
  if (raw === null) {
    throw new ParseError(
      file,
      line,
      `sys_exit_${name}: expected a return value (0x-hex or decimal), found ${quote(body)}`,
    );
  }
  return raw;
}

function parseExit(
  name: SyscallName,
  h: Header,
  base: TraceEventBase,
  file: string,
  line: number,
): SysExitEvent {
  const raw = parseRet(name, h, file, line);
  return { ...base, kind: 'sys_exit', name, ret: Number(raw), retRaw: raw };
}

function parseFdExit(
  name: FdSyscallName,
  h: Header,
  base: TraceEventBase,
  file: string,
  line: number,
): FdExitEvent {
  const raw = parseRet(name, h, file, line);
  return { ...base, kind: 'fd_exit', name, ret: Number(raw), retRaw: raw };
}

function parseLost(h: Header, base: TraceEventBase): LostEvent {
  const body = h.fields.trim();
  let count: number | null = null;
  if (body.startsWith('lost ')) count = decimalToNumber(body.slice(5).trim());
  return { ...base, kind: 'lost', record: h.event.slice(RECORD_PREFIX.length), count };
}

/**
 * Parses one trace line. Returns null for lines that carry no event (blank, `#` in column 0). Throws
 * ParseError for malformed lines, for unknown events unless `allowUnknown`, and for lost-event
 * records unless `allowLost`. O(length).
 */
export function parseTraceLine(
  text: string,
  file: string,
  line: number,
  options: TraceOptions = {},
): TraceEvent | null {
  // perf's own comments start in column 0; a comm starting with '#' is right-aligned after spaces.
  if (text.charCodeAt(0) === 35) return null;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  if (i === text.length) return null;
  const h = parseHeader(text, file, line);
  const time = Number(h.timeText);
  const base: TraceEventBase = {
    line,
    comm: h.comm,
    pid: h.pid,
    tid: h.tid,
    cpu: h.cpu,
    time,
    timeText: h.timeText,
  };
  const ev = h.event;
  if (ev === FAULT_EVENT) return parseFault(h, base, file, line);
  if (ev.startsWith(ENTER_PREFIX) && isSyscallName(ev.slice(ENTER_PREFIX.length))) {
    return parseEnter(ev.slice(ENTER_PREFIX.length) as SyscallName, h, base, file, line);
  }
  if (ev.startsWith(EXIT_PREFIX) && isSyscallName(ev.slice(EXIT_PREFIX.length))) {
    return parseExit(ev.slice(EXIT_PREFIX.length) as SyscallName, h, base, file, line);
  }
  if (ev.startsWith(ENTER_PREFIX) && isFdSyscallName(ev.slice(ENTER_PREFIX.length))) {
    return parseFdEnter(ev.slice(ENTER_PREFIX.length) as FdSyscallName, h, base, file, line);
  }
  if (ev.startsWith(EXIT_PREFIX) && isFdSyscallName(ev.slice(EXIT_PREFIX.length))) {
    return parseFdExit(ev.slice(EXIT_PREFIX.length) as FdSyscallName, h, base, file, line);
  }
  if (ev.startsWith('PERF_RECORD_LOST')) {
    const lost = parseLost(h, base);
    if (options.allowLost !== true) {
      throw new ParseError(
        file,
        line,
        `perf lost ${lost.count ?? 'an unknown number of'} events here (${ev}): the capture is incomplete`,
      );
    }
    return lost;
  }
  if (options.allowUnknown !== true) {
    throw new ParseError(
      file,
      line,
      `unknown event ${quote(ev)}: expected ${FAULT_EVENT} or syscalls:sys_enter_/sys_exit_ of ${[...Object.keys(SYSCALL_SIGNATURES), ...Object.keys(FD_SYSCALL_SIGNATURES)].join(', ')}`,
    );
  }
  return { ...base, kind: 'unknown', event: ev, fields: h.fields };
}

/** Adds one event to the summary and checks time order; shared by both parsers. */
class TraceTally {
  readonly summary = emptyTraceSummary();
  private lastTime = Number.NEGATIVE_INFINITY;
  private lastTimeLine = 0;

  constructor(
    private readonly file: string,
    private readonly options: TraceOptions,
  ) {}

  add(e: TraceEvent): void {
    // Lost records may carry time 0 when perf had no sample id for them, so they are not ordered.
    if (e.kind !== 'lost' && e.time < this.lastTime && this.options.allowUnorderedTime !== true) {
      throw new ParseError(
        this.file,
        e.line,
        `timestamp ${e.timeText} is earlier than ${this.lastTime} at line ${this.lastTimeLine} (events must be in time order)`,
      );
    }
    if (e.kind !== 'lost' && e.time >= this.lastTime) {
      this.lastTime = e.time;
      this.lastTimeLine = e.line;
    }
    const s = this.summary;
    switch (e.kind) {
      case 'fault':
        s.faults++;
        break;
      case 'sys_enter':
        s.sysEnter[e.name] = (s.sysEnter[e.name] ?? 0) + 1;
        break;
      case 'sys_exit':
        s.sysExit[e.name] = (s.sysExit[e.name] ?? 0) + 1;
        break;
      case 'fd_enter':
        s.fdEnter[e.name] = (s.fdEnter[e.name] ?? 0) + 1;
        break;
      case 'fd_exit':
        s.fdExit[e.name] = (s.fdExit[e.name] ?? 0) + 1;
        break;
      case 'lost':
        s.lostRecords++;
        s.lostEvents += e.count ?? 0;
        break;
      case 'unknown':
        s.unknown[e.event] = (s.unknown[e.event] ?? 0) + 1;
        break;
    }
  }
}

/**
 * A trace being parsed: iterate it (once) for the events; `summary` fills in as it goes and is
 * complete when the iteration ends.
 */
export class TraceReader implements AsyncIterable<TraceEvent> {
  /** Counts so far. */
  readonly summary: TraceSummary;
  private readonly tally: TraceTally;
  private started = false;

  constructor(
    private readonly source: ByteSource,
    /** File name used in error messages. */
    readonly file: string,
    private readonly options: TraceOptions = {},
  ) {
    this.tally = new TraceTally(file, options);
    this.summary = this.tally.summary;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TraceEvent, void, undefined> {
    if (this.started) throw new Error(`${this.file}: a TraceReader can be iterated only once`);
    this.started = true;
    let line = 0;
    for await (const batch of readLineBatches(this.source, this.file)) {
      for (const text of batch) {
        line++;
        this.summary.lines = line;
        const e = parseTraceLine(text, this.file, line, this.options);
        if (e === null) continue;
        this.tally.add(e);
        yield e;
      }
    }
  }
}

/**
 * Streams the events of a `perf script` text trace (file path or stream, plain or gzip). Lazy: the
 * file is read while the caller iterates. O(lines) time, O(longest line) memory.
 */
export function parseTrace(source: ByteSource, fileName: string, options: TraceOptions = {}): TraceReader {
  return new TraceReader(source, fileName, options);
}

/** {@link parseTrace} for text already in memory (synchronous): all events plus the summary. */
export function parseTraceText(
  text: string,
  fileName: string,
  options: TraceOptions = {},
): { events: TraceEvent[]; summary: TraceSummary } {
  const tally = new TraceTally(fileName, options);
  const events: TraceEvent[] = [];
  const lines = splitLines(text, fileName);
  for (let i = 0; i < lines.length; i++) {
    tally.summary.lines = i + 1;
    const e = parseTraceLine(lines[i]!, fileName, i + 1, options);
    if (e === null) continue;
    tally.add(e);
    events.push(e);
  }
  return { events, summary: tally.summary };
}
