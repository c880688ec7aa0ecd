import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureGuard } from '../src/guard.js';
import {
  CaptureError,
  captureCommand,
  capturePid,
  executableKind,
  parseProcStat,
  resolveExecutable,
} from '../src/index.js';
import { checkOutput, commitDirectory, makeTempSibling } from '../src/output-dir.js';

const root = mkdtempSync(join(tmpdir(), 'vmakit-capture-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CaptureError) return `${err.code}: ${err.message}`;
    return `not a CaptureError: ${String(err)}`;
  }
  return 'resolved';
}

describe('/proc/PID/stat', () => {
  it('counts fields from the last parenthesis (comm may hold spaces and parentheses)', () => {
    const text =
      '4242 (my (odd) prog) T 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000 10 18446744073709551615\n';
    expect(parseProcStat(text)).toEqual({ comm: 'my (odd) prog', state: 'T', ppid: 1, startTime: 987654 });
    expect(parseProcStat('garbage')).toBeNull();
    expect(parseProcStat('1 (x) S 0')).toBeNull();
  });

  it('reads this very process', () => {
    const own = parseProcStat(readFileSync(`/proc/${process.pid}/stat`, 'utf8'));
    expect(own).not.toBeNull();
    expect(own!.ppid).toBe(process.ppid);
  });
});

/** A minimal ELF64 little-endian header with the given program header types. */
function elf(types: number[], elfClass = 2): Buffer {
  const phoff = 64;
  const b = Buffer.alloc(64 + 56 * types.length);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = elfClass;
  b[5] = 1;
  b[6] = 1;
  b.writeBigUInt64LE(BigInt(phoff), 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(types.length, 56);
  for (const [i, t] of types.entries()) b.writeUInt32LE(t, phoff + 56 * i);
  return b;
}

describe('executable kinds (LD_PRELOAD needs the dynamic loader)', () => {
  it('PT_INTERP = dynamic, none = static, #! = script, ELFCLASS32, garbage', async () => {
    const put = (name: string, data: Buffer | string): string => {
      const p = join(root, name);
      writeFileSync(p, data);
      return p;
    };
    expect(await executableKind(put('dyn', elf([6, 3, 1, 1])))).toBe('dynamic');
    expect(await executableKind(put('static', elf([1, 1, 4])))).toBe('static');
    expect(await executableKind(put('script', '#!/bin/sh\necho hi\n'))).toBe('script');
    expect(await executableKind(put('elf32', elf([3], 1)))).toBe('elf32');
    expect(
      await executableKind(
        put('junk', 'hello world, not a program at all; long enough to fill 64 bytes....'),
      ),
    ).toBe('unknown');
    expect(await executableKind(join(root, 'absent'))).toBe('unknown');
    // The shell of this machine goes through the dynamic loader.
    const sh = await resolveExecutable('sh', '/', process.env.PATH);
    expect(sh).not.toBeNull();
  });

  it('resolves commands like spawn: paths relative to cwd, names on PATH', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(bin, 'notexec'), '#!/bin/sh\n', { mode: 0o644 });
    expect(await resolveExecutable('tool', '/', bin)).toBe(join(bin, 'tool'));
    expect(await resolveExecutable('./bin/tool', root, '')).toBe(join(bin, 'tool'));
    expect(await resolveExecutable('notexec', '/', bin)).toBeNull();
    expect(await resolveExecutable('absent', '/', bin)).toBeNull();
  });
});

describe('clear errors before anything is stopped or started', () => {
  const out = (name: string): string => join(root, name);

  it('pid mode: bad pid, own pid, missing process, bad duration', async () => {
    expect(await codeOf(capturePid(0, { out: out('a'), durationSeconds: 1 }))).toMatch(
      /^bad-options: pid must be/,
    );
    expect(await codeOf(capturePid(process.pid, { out: out('a'), durationSeconds: 1 }))).toMatch(
      /^bad-options: .*cannot stop itself/,
    );
    expect(await codeOf(capturePid(2 ** 22 + 7, { out: out('a'), durationSeconds: 1 }))).toMatch(
      /^no-such-process: no process with pid 4194311/,
    );
    expect(await codeOf(capturePid(1, { out: out('a'), durationSeconds: -1 }))).toMatch(
      /^bad-options: durationSeconds/,
    );
    expect(await codeOf(capturePid(1, { out: out('a'), durationSeconds: Number.NaN }))).toMatch(
      /^bad-options/,
    );
    expect(await codeOf(capturePid(1, { out: out('a'), durationSeconds: 1, mmapPages: 0 }))).toMatch(
      /^bad-options: mmapPages/,
    );
  });

  it('pid mode: an already stopped process is refused and left as it was', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      process.kill(child.pid!, 'SIGSTOP');
      for (let i = 0; i < 200; i++) {
        if (parseProcStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))?.state === 'T') break;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await codeOf(capturePid(child.pid!, { out: out('b'), durationSeconds: 1 }))).toMatch(
        /^bad-options: .*already stopped; resume it first/,
      );
      expect(parseProcStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))?.state).toBe('T');
    } finally {
      child.kill('SIGKILL');
      process.kill(child.pid!, 'SIGCONT');
    }
  });

  it('command mode: no command, missing program, missing output directory name', async () => {
    expect(await codeOf(captureCommand([], { out: out('c') }))).toMatch(/^bad-options: no command given/);
    expect(await codeOf(captureCommand(['/nonexistent/program'], { out: out('c') }))).toMatch(
      /^command-failed: cannot run '\/nonexistent\/program': no such executable file/,
    );
    expect(await codeOf(captureCommand(['vmakit-no-such-command-xyz'], { out: out('c') }))).toMatch(
      /^command-failed: .*not found on PATH/,
    );
    expect(await codeOf(captureCommand(['true'], { out: '' }))).toMatch(/^bad-options: no output directory/);
    expect(
      await codeOf(captureCommand(['true'], { out: out('c'), gzip: 'yes' as unknown as boolean })),
    ).toMatch(/^bad-options: gzip/);
  });

  it('command mode: a statically linked program is refused with the reason and the alternative', async () => {
    const p = join(root, 'static-prog');
    writeFileSync(p, elf([1, 1]), { mode: 0o755 });
    expect(await codeOf(captureCommand([p], { out: out('d') }))).toMatch(
      /^command-failed: .*statically linked.*capture it by pid/,
    );
  });

  it('an existing non-empty output directory is refused unless forced', async () => {
    const dir = out('existing');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keep.txt'), 'x');
    expect(await codeOf(checkOutput(dir, false))).toMatch(
      /^output-exists: .*already exists and is not empty/,
    );
    expect(await checkOutput(dir, true)).toBe(dir);
    writeFileSync(out('afile'), 'x');
    expect(await codeOf(checkOutput(out('afile'), true))).toMatch(/^output-exists: .*not a directory/);
  });
});

describe('atomic directory commit', () => {
  it('the new directory replaces the old one (forced) and no temporary sibling stays', async () => {
    const dir = join(root, 'commit', 'cap');
    await checkOutput(dir, false);
    const first = await makeTempSibling(dir);
    writeFileSync(join(first, 'start.maps'), 'one');
    await commitDirectory(first, dir, false);
    expect(readFileSync(join(dir, 'start.maps'), 'utf8')).toBe('one');
    const second = await makeTempSibling(dir);
    writeFileSync(join(second, 'start.maps'), 'two');
    expect(await codeOf(commitDirectory(second, dir, false))).toMatch(/^output-exists/);
    await commitDirectory(second, dir, true);
    expect(readFileSync(join(dir, 'start.maps'), 'utf8')).toBe('two');
    expect(readdirSync(join(root, 'commit'))).toEqual(['cap']);
  });
});

describe('cleanup guard', () => {
  it('an abort runs every cleanup once, newest first, and aborts the capture signal', () => {
    const external = new AbortController();
    const guard = new CaptureGuard(external.signal);
    const sigint = process.listenerCount('SIGINT');
    guard.install();
    expect(process.listenerCount('SIGINT')).toBe(sigint + 1);
    const order: string[] = [];
    guard.add(() => order.push('resume process'));
    guard.add(() => {
      order.push('kill perf');
      throw new Error('a failing cleanup does not stop the others');
    });
    const remove = guard.add(() => order.push('never'));
    remove();
    external.abort();
    expect(order).toEqual(['kill perf', 'resume process']);
    expect(guard.signal.aborted).toBe(true);
    guard.runCleanups();
    expect(order).toHaveLength(2);
    guard.dispose();
    expect(process.listenerCount('SIGINT')).toBe(sigint);
  });
});
