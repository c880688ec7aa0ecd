/**
 * Tells whether an executable goes through the dynamic loader, which is what makes LD_PRELOAD (and
 * so the start and exit stops of command mode) work. Reads the ELF program headers for PT_INTERP
 * (include/uapi/linux/elf.h); a static or static-pie executable has none.
 */
import { open } from 'node:fs/promises';

/** What an executable is, as far as LD_PRELOAD cares. */
export type ExecutableKind = 'dynamic' | 'static' | 'script' | 'elf32' | 'unknown';

const PT_INTERP = 3;

/** Classifies the ELF header and program headers of `path`; 'unknown' when it cannot be read. */
export async function executableKind(path: string): Promise<ExecutableKind> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch {
    return 'unknown';
  }
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    if (bytesRead >= 2 && head[0] === 0x23 && head[1] === 0x21) return 'script';
    if (bytesRead < 64 || head.readUInt32BE(0) !== 0x7f454c46) return 'unknown';
    if (head[4] !== 2) return 'elf32';
    if (head[5] !== 1) return 'unknown'; // big-endian x86-64 does not exist
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    if (phentsize < 4 || phnum === 0 || phnum > 4096) return 'unknown';
    const table = Buffer.alloc(phentsize * phnum);
    const r = await fh.read(table, 0, table.length, phoff);
    if (r.bytesRead < table.length) return 'unknown';
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === PT_INTERP) return 'dynamic';
    }
    return 'static';
  } finally {
    await fh.close();
  }
}
