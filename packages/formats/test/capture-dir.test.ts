import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaptureDirError,
  formatMaps,
  formatSmaps,
  parseTrace,
  readCaptureDir,
  writeCaptureDir,
  writeFileAtomic,
} from '../src/index.js';
import { CAPTURES, collect, expectParseErrorAsync, findSharedDir, sharedMissingMessage } from './helpers.js';

const MAPS = `${'00400000-00401000 r--p 00000000 08:01 12 '.padEnd(72)} /bin/x\n`;
const TRACE = `${'x'.padStart(16)} 1 [000]     1.000000: ${'exceptions:page_fault_user'.padStart(30)}: address=0x400010 ip=0x400010 error_code=0x14\n`;

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vmakit-formats-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dirWith(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const d = join(root, name);
  await mkdir(d, { recursive: true });
  for (const [f, data] of Object.entries(files)) await writeFile(join(d, f), data);
  return d;
}

describe('readCaptureDir', () => {
  it('reads a minimal directory and leaves optional parts null', async () => {
    const d = await dirWith('minimal', { 'start.maps': MAPS, 'trace.txt': TRACE });
    const c = await readCaptureDir(d);
    expect(c.startMaps.entries).toHaveLength(1);
    expect([c.endMaps, c.startSmaps, c.endSmaps]).toEqual([null, null, null]);
    expect(c.tracePath).toBe(join(d, 'trace.txt'));
    expect((await collect(parseTrace(c.tracePath, c.tracePath))).length).toBe(1);
  });

  it('accepts gzip-compressed parts', async () => {
    const d = await dirWith('gz', { 'start.maps.gz': gzipSync(MAPS), 'trace.txt.gz': gzipSync(TRACE) });
    const c = await readCaptureDir(d);
    expect(c.paths.startMaps).toBe(join(d, 'start.maps.gz'));
    expect(c.tracePath).toBe(join(d, 'trace.txt.gz'));
    expect((await collect(parseTrace(c.tracePath, c.tracePath))).length).toBe(1);
  });

  it('names the missing file', async () => {
    const noMaps = await dirWith('no-maps', { 'trace.txt': TRACE });
    await expect(readCaptureDir(noMaps)).rejects.toThrow(/missing start\.maps/);
    await expect(readCaptureDir(noMaps)).rejects.toBeInstanceOf(CaptureDirError);
    const noTrace = await dirWith('no-trace', { 'start.maps': MAPS });
    await expect(readCaptureDir(noTrace)).rejects.toThrow(/missing trace\.txt \(or trace\.txt\.gz\)/);
    await expect(readCaptureDir(join(root, 'absent'))).rejects.toThrow(/does not exist/);
    await expect(readCaptureDir(join(noTrace, 'start.maps'))).rejects.toThrow(/not a directory/);
  });

  it('refuses a file present both plain and compressed', async () => {
    const d = await dirWith('both', {
      'start.maps': MAPS,
      'trace.txt': TRACE,
      'trace.txt.gz': gzipSync(TRACE),
    });
    await expect(readCaptureDir(d)).rejects.toThrow(/both trace\.txt and trace\.txt\.gz/);
  });

  it('passes a parse error with the file path and line through', async () => {
    const d = await dirWith('bad', { 'start.maps': `${MAPS}garbage\n`, 'trace.txt': TRACE });
    await expectParseErrorAsync(() => readCaptureDir(d), join(d, 'start.maps'), 2);
  });
});

describe('writeCaptureDir / writeFileAtomic', () => {
  it('writes parts that read back identically, trace streamed and compressed', async () => {
    const src = await dirWith('src', { 'start.maps': MAPS, 'end.maps': MAPS, 'trace.txt': TRACE });
    const c = await readCaptureDir(src);
    const out = join(root, 'out', 'nested');
    const written = await writeCaptureDir(out, {
      startMaps: c.startMaps,
      endMaps: MAPS,
      trace: Readable.from([TRACE.slice(0, 20), Buffer.from(TRACE.slice(20))]),
      gzipTrace: true,
    });
    expect(written.map((p) => p.slice(out.length + 1))).toEqual(['start.maps', 'end.maps', 'trace.txt.gz']);
    expect((await readdir(out)).sort()).toEqual(['end.maps', 'start.maps', 'trace.txt.gz']);
    const back = await readCaptureDir(out);
    expect(formatMaps(back.startMaps)).toBe(MAPS);
    expect(back.tracePath.endsWith('trace.txt.gz')).toBe(true);
    expect(await collect(parseTrace(back.tracePath, back.tracePath))).toEqual(
      await collect(parseTrace(c.tracePath, c.tracePath)),
    );
    // Rewriting the trace uncompressed replaces the .gz variant.
    await writeCaptureDir(out, { trace: TRACE });
    expect((await readdir(out)).sort()).toEqual(['end.maps', 'start.maps', 'trace.txt']);
  });

  it('leaves neither a partial target nor a temporary file when writing fails', async () => {
    const d = await dirWith('fail', { 'keep.txt': 'old\n' });
    async function* failing(): AsyncGenerator<string> {
      yield 'new data\n';
      throw new Error('source broke');
    }
    await expect(writeFileAtomic(join(d, 'keep.txt'), failing())).rejects.toThrow(/source broke/);
    expect(await readFile(join(d, 'keep.txt'), 'utf8')).toBe('old\n');
    expect(await readdir(d)).toEqual(['keep.txt']);
    await expect(writeFileAtomic(join(root, 'no', 'such', 'dir', 'f'), 'x')).rejects.toThrow(/ENOENT/);
  });
});

const traces = findSharedDir('traces');

describe.skipIf(traces === null)('real capture directories', () => {
  for (const cap of CAPTURES) {
    it(cap, async () => {
      const c = await readCaptureDir(join(traces!, cap));
      expect(c.endMaps).not.toBeNull();
      expect(c.startSmaps!.entries.length).toBe(c.startMaps.entries.length);
      expect(c.endSmaps!.entries.length).toBe(c.endMaps!.entries.length);
      expect(c.startMaps.gate?.path).toBe('[vsyscall]');
      // Writing the parsed capture reproduces the files byte for byte.
      const out = join(root, `copy-${cap}`);
      await writeCaptureDir(out, {
        startMaps: c.startMaps,
        endMaps: c.endMaps!,
        startSmaps: c.startSmaps!,
        endSmaps: c.endSmaps!,
      });
      for (const f of ['start.maps', 'end.maps', 'start.smaps', 'end.smaps']) {
        expect(await readFile(join(out, f), 'utf8')).toBe(await readFile(join(traces!, cap, f), 'utf8'));
      }
      expect(formatSmaps(c.startSmaps!).length).toBeGreaterThan(0);
    });
  }
});

it.skipIf(traces !== null)('real capture directories', () => {
  console.log(sharedMissingMessage('traces'));
});
