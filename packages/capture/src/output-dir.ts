/**
 * The capture directory appears whole or not at all: files are written into a temporary sibling
 * (same parent, so the same file system) and the sibling is renamed to the final name once
 * everything is written and validated.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CaptureError } from './errors.js';

/** Checks, before anything is stopped, that `out` may be written. Returns the absolute path. */
export async function checkOutput(out: string, force: boolean): Promise<string> {
  if (typeof out !== 'string' || out.trim() === '') {
    throw new CaptureError('bad-options', 'no output directory given (option out)');
  }
  const abs = resolve(out);
  let st: Awaited<ReturnType<typeof stat>> | null = null;
  try {
    st = await stat(abs);
  } catch {
    st = null;
  }
  if (st !== null) {
    if (!st.isDirectory()) throw new CaptureError('output-exists', `${abs} exists and is not a directory`);
    const empty = (await readdir(abs)).length === 0;
    if (!empty && !force) {
      throw new CaptureError(
        'output-exists',
        `${abs} already exists and is not empty; choose another directory or force replacing it`,
      );
    }
  }
  try {
    await mkdir(dirname(abs), { recursive: true });
  } catch (err) {
    throw new CaptureError('output-exists', `cannot create the parent of ${abs}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return abs;
}

/** Creates the temporary sibling of `out`. */
export async function makeTempSibling(out: string): Promise<string> {
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  return tmp;
}

/**
 * Renames `tmp` to `out`. An existing `out` (empty, or any with `force`) is moved aside first and
 * removed after the rename, so `out` is at every moment either the old or the new directory.
 */
export async function commitDirectory(tmp: string, out: string, force: boolean): Promise<void> {
  let aside: string | null = null;
  try {
    const entries = await readdir(out);
    if (entries.length > 0 && !force) {
      throw new CaptureError(
        'output-exists',
        `${out} appeared during the capture and is not empty; the capture was not written`,
      );
    }
    aside = `${tmp}.old`;
    await rename(out, aside);
  } catch (err) {
    if (err instanceof CaptureError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(tmp, out);
  } catch (err) {
    if (aside !== null) await rename(aside, out).catch(() => {});
    throw err;
  }
  if (aside !== null) await rm(aside, { recursive: true, force: true });
}
