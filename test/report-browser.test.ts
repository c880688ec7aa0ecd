/**
 * report.html in a real browser: Debian's chromium driven by playwright-core (never a downloaded
 * browser). A tiny compare run's results get hostile names — a capture called
 * `<script>…</script>`, an index whose name closes an attribute and adds an onerror handler,
 * quotes, control characters, a bidi override — and `vmakit report` renders them. The page must
 * show its charts as inline SVG, log no console error, open no dialog and run no injected script.
 * Skips with a message when no chromium executable is installed (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliMissing, vmakit } from './support/cli.js';

/** The chromium executable: $CHROMIUM_PATH, /usr/bin/chromium, or `chromium` on the PATH. */
function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return c;
  try {
    const p = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    return p === '' ? null : p;
  } catch {
    return null;
  }
}

const chromiumPath = findChromium();
const missing = cliMissing();
const skipReason =
  chromiumPath === null
    ? 'no chromium executable found (install Debian chromium: apt-get install chromium; .ci/run does)'
    : missing;
if (skipReason !== null) console.warn(`skipping the report browser test: ${skipReason}`);

const HOSTILE_CAPTURE = '<script>window.__pwned = 1; alert(1)</script>';
const HOSTILE_INDEX = 'maple"><img src=x onerror="window.__pwned=2">\'q\'';
const HOSTILE_NOTE =
  'note \u0007bell \u001b[31mred\u001b[0m \u202eevil & <b>bold</b> </svg><script>alert(3)</script>';

/** Replaces the names `maple` and `mmap-touch` throughout the document by hostile ones. */
function poison(v: unknown): unknown {
  if (typeof v === 'string') {
    if (v === 'maple') return HOSTILE_INDEX;
    if (v === 'mmap-touch') return HOSTILE_CAPTURE;
    if (v === 'capture:mmap-touch') return `capture:${HOSTILE_CAPTURE}`;
    if (v === 'capture:mmap-touch/end') return `capture:${HOSTILE_CAPTURE}/end`;
    return v;
  }
  if (Array.isArray(v)) return v.map(poison);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x)]));
  return v;
}

describe.skipIf(skipReason !== null)('report.html in chromium', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vmakit-browser-'));
  });
  afterAll(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the charts, logs no error and runs no injected script', { timeout: 180_000 }, async () => {
    const run = vmakit([
      'compare',
      '--quick',
      '--index',
      'maple,rbtree',
      '--strategy',
      'mmap-lock',
      '--cpus',
      '1,2,4',
      '--workload',
      'page_fault1,capture:mmap-touch',
      '--no-progress',
      '--out',
      join(tmp, 'run'),
    ]);
    expect(run.status).toBe(0);
    const doc = poison(JSON.parse(readFileSync(join(tmp, 'run', 'latest', 'results.json'), 'utf8'))) as {
      metadata: { notes?: string[] };
    };
    doc.metadata.notes = [...(doc.metadata.notes ?? []), HOSTILE_NOTE];
    const input = join(tmp, 'hostile.json');
    writeFileSync(input, JSON.stringify(doc));
    const report = vmakit(['report', input, '--out', join(tmp, 'report')]);
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);
    const html = readFileSync(join(tmp, 'report', 'report.html'), 'utf8');
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // self-contained: no network
    // The other formats: no raw tag in Markdown, no control or bidi character in any file.
    const md = readFileSync(join(tmp, 'report', 'report.md'), 'utf8');
    const txt = readFileSync(join(tmp, 'report', 'report.txt'), 'utf8');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<img');
    const controls = (text: string) =>
      [...text].filter((ch) => {
        const cp = ch.codePointAt(0)!;
        return (cp < 0x20 && cp !== 0x0a && cp !== 0x09 && cp !== 0x0d) || cp === 0x7f || cp === 0x202e;
      });
    for (const text of [html, md, txt]) expect(controls(text)).toEqual([]);

    const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(join(tmp, 'report', 'report.html')).href, { waitUntil: 'load' });
      const charts = await page.locator('svg').count();
      expect(charts).toBeGreaterThanOrEqual(3);
      // Each chart has drawn content (lines, bars or markers), not just an empty frame.
      const marks = await page.locator('svg path, svg rect, svg polyline, svg circle').count();
      expect(marks).toBeGreaterThan(charts);
      // Every section of the comparison is there, the published-results comparison included.
      for (const id of ['Simulated scaling', 'Bytes copied per fault', 'Memory per VMA', 'Published results'])
        expect(await page.getByRole('heading', { name: id }).count()).toBeGreaterThan(0);
      const pwned = await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned);
      expect(pwned).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      // The hostile names are shown as text.
      const text = await page.locator('body').textContent();
      expect(text ?? '').toContain('<script>window.__pwned = 1; alert(1)</script>');
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
