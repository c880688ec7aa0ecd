/**
 * The traced process's descriptor table as far as the trace shows it: which open file description
 * each descriptor stands for and how it was opened. A file mmap takes its VM_MAYWRITE/VM_SHARED
 * from the description's FMODE_WRITE and fails without FMODE_READ (mm/mmap.c do_mmap(), v6.12), so
 * a replay that knows the open mode gets the kernel's vm_flags for read-only shared mappings.
 *
 * A descriptor the trace never saw opened (opened before tracing began, by an untraced call such as
 * socket or memfd_create, or in a capture without fd events) stands for a file of unknown mode: it
 * gets a per-descriptor identity with the permissive FileRef defaults, as before fd tracking.
 *
 * Descriptors are keyed by number alone: the trace names threads, not processes, and a replay
 * models one address space, so all traced threads are taken to share one table (CLONE_FILES).
 */
import { allocId, type MmFile } from '@vmakit/core';
import type { PairedFdCall } from '@vmakit/formats';

/** O_ACCMODE and O_PATH (include/uapi/asm-generic/fcntl.h). */
const O_ACCMODE = 0o3;
const O_PATH = 0o10000000;
/** F_DUPFD, F_DUPFD_CLOEXEC = F_LINUX_SPECIFIC_BASE + 6 (include/uapi/linux/fcntl.h). */
const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
/** CLOSE_RANGE_CLOEXEC (include/uapi/linux/close_range.h): mark close-on-exec instead of closing. */
const CLOSE_RANGE_CLOEXEC = 1 << 2;

/** What one descriptor refers to. */
export interface OpenFileDescription {
  /** The file as mmap sees it; one object per open (dup'd descriptors share it). */
  readonly file: MmFile;
  /**
   * Opened with O_PATH: fget() refuses such a file (FMODE_PATH), so mmap fails with EBADF
   * (fs/file.c fget(), mm/mmap.c ksys_mmap_pgoff()).
   */
  readonly pathOnly: boolean;
  /** The open mode is known from the trace (else the permissive defaults apply). */
  readonly modeKnown: boolean;
}

/**
 * The f_mode an open gives: OPEN_FMODE(flags) = (flags + 1) & O_ACCMODE turns O_RDONLY (0),
 * O_WRONLY (1), O_RDWR (2) into FMODE_READ, FMODE_WRITE, both; the invalid access mode 3 gives
 * neither (include/linux/fs.h OPEN_FMODE). O_PATH opens neither for reading nor writing.
 */
export function fmodeOfOpenFlags(flags: number): {
  readonly readable: boolean;
  readonly writable: boolean;
  readonly pathOnly: boolean;
} {
  if ((flags & O_PATH) !== 0) return { readable: false, writable: false, pathOnly: true };
  const fmode = ((flags & O_ACCMODE) + 1) & O_ACCMODE;
  return { readable: (fmode & 1) !== 0, writable: (fmode & 2) !== 0, pathOnly: false };
}

/** Descriptor number → open file description, updated at the exit of each traced fd call. */
export class FdTable {
  private readonly open = new Map<number, OpenFileDescription>();
  /** How often each descriptor number was closed: a later untracked reuse is another file. */
  private readonly closes = new Map<number, number>();
  /** Every descriptor number handed out or looked up, for close_range. */
  private readonly touched = new Set<number>();

  /**
   * `untracked(fd, closes)` gives the file of a descriptor of unknown origin; it is called with the
   * number of times that descriptor was closed so far (0 for a capture without fd events).
   */
  constructor(private readonly untracked: (fd: number, closes: number) => MmFile) {}

  /** The description `fd` refers to. O(1). */
  lookup(fd: number): OpenFileDescription {
    this.touched.add(fd);
    return (
      this.open.get(fd) ?? {
        file: this.untracked(fd, this.closes.get(fd) ?? 0),
        pathOnly: false,
        modeKnown: false,
      }
    );
  }

  /** Number of descriptors whose open the trace showed and that are still open. */
  get tracked(): number {
    return this.open.size;
  }

  private set(fd: number, d: OpenFileDescription): void {
    this.touched.add(fd);
    this.open.set(fd, d);
  }

  private drop(fd: number): void {
    this.open.delete(fd);
    this.closes.set(fd, (this.closes.get(fd) ?? 0) + 1);
  }

  /** A fresh description for a successful open returning `fd`. */
  private opened(fd: number, mode: { readable: boolean; writable: boolean; pathOnly: boolean } | null): void {
    const file: MmFile =
      mode === null
        ? { id: allocId(), path: `fd:${fd}` }
        : { id: allocId(), path: `fd:${fd}`, readable: mode.readable, writable: mode.writable };
    this.set(fd, { file, pathOnly: mode?.pathOnly ?? false, modeKnown: mode !== null });
  }

  /** `newfd` now shares the description of `oldfd` (dup family). */
  private duplicate(oldfd: number, newfd: number): void {
    if (oldfd === newfd) return;
    this.set(newfd, this.lookup(oldfd));
  }

  /**
   * Applies a completed fd call (at its exit, with the kernel's result). Failed opens and dups
   * change nothing; close always releases the number (close() detaches the descriptor before any
   * error it reports, fs/open.c; EBADF means it was not open). O(1), close_range O(descriptors seen).
   */
  apply(c: PairedFdCall): void {
    const a = c.args;
    switch (c.name) {
      case 'open':
      case 'openat':
        if (c.ret >= 0) this.opened(c.ret, fmodeOfOpenFlags(a.flags!));
        return;
      case 'openat2':
        // The flags are in the user's struct open_how, which the tracepoint does not show.
        if (c.ret >= 0) this.opened(c.ret, null);
        return;
      case 'close':
        this.drop(a.fd!);
        return;
      case 'close_range': {
        if (c.ret !== 0 || (a.flags! & CLOSE_RANGE_CLOEXEC) !== 0) return;
        for (const fd of this.touched) if (fd >= a.fd! && fd <= a.max_fd!) this.drop(fd);
        return;
      }
      case 'dup':
        if (c.ret >= 0) this.duplicate(a.fildes!, c.ret);
        return;
      case 'dup2':
      case 'dup3':
        if (c.ret >= 0) this.duplicate(a.oldfd!, a.newfd!);
        return;
      case 'fcntl':
        if (c.ret >= 0 && (a.cmd === F_DUPFD || a.cmd === F_DUPFD_CLOEXEC)) this.duplicate(a.fd!, c.ret);
        return;
    }
  }
}
