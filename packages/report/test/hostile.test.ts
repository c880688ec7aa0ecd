import { describe, expect, it } from 'vitest';
import { compareRuns, renderAll, renderComparison, validateResults } from '../src/index.js';
import { escapeMarkdown, escapeXml } from '../src/text/markup.js';
import { displayWidth, truncateToWidth, visible } from '../src/text/visible.js';
import { checkHtml, checkMarkdown, checkNoInvisibles, checkText, gfmCells } from './support/checks.js';
import { HOSTILE, hostileResults } from './support/hostile.js';
import { findAll, parseXml, textContent } from './support/xml.js';

describe('visible', () => {
  it('shows control, bidi, zero-width and invalid characters as escapes', () => {
    expect(visible('a\nb\tc\r')).toBe('a\\nb\\tc\\r');
    expect(visible('\u0000\u0007\u001b[31m\u007f\u0085')).toBe('\\x00\\x07\\x1b[31m\\x7f\\x85');
    expect(visible('\u202eevil\u202c')).toBe('\\u202eevil\\u202c');
    expect(visible('x\u200by\ufeff')).toBe('x\\u200by\\ufeff');
    expect(visible('\ud800!')).toBe('\\ud800!');
    expect(visible('\ufffe\u{1fffe}')).toBe('\\ufffe\\u{1fffe}');
    expect(visible('back\\slash')).toBe('back\\\\slash');
    expect(visible('café 漢字 🧪')).toBe('café 漢字 🧪');
  });

  it('makes any string XML-safe and free of invisibles', () => {
    for (const s of HOSTILE) {
      checkNoInvisibles(visible(s));
      expect(parseXml(`<a t="${escapeXml(s)}">${escapeXml(s)}</a>`).attrs.get('t')).toBe(visible(s));
    }
  });

  it('measures and cuts by terminal columns without splitting escapes', () => {
    expect(displayWidth('漢字ab')).toBe(6);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(truncateToWidth('abcdefghij', 6)).toBe('abc...');
    expect(truncateToWidth('漢字漢字', 5)).toBe('漢...');
    expect(truncateToWidth(visible('ab\u0007cdef'), 7)).toBe('ab...');
    expect(truncateToWidth('short', 10)).toBe('short');
  });
});

describe('escapeMarkdown', () => {
  it('keeps a table cell one cell and renders no HTML or formatting', () => {
    for (const s of HOSTILE) {
      const cell = escapeMarkdown(s);
      expect(gfmCells(`| ${cell} | x |`)).toHaveLength(2);
      expect(cell).not.toMatch(/<[a-zA-Z!/?]/);
      expect(cell).not.toMatch(/(?<!\\)[`*_[\]|~$]/);
      checkNoInvisibles(cell);
    }
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('<b>')).toBe('&lt;b&gt;');
    expect(escapeMarkdown('# h')).toBe('\\# h');
    expect(escapeMarkdown('1. x')).toBe('1\\. x');
    expect(escapeMarkdown('line\nbreak')).toBe('line\\\\nbreak');
    expect(escapeMarkdown('x'.repeat(300))).toHaveLength(200);
  });
});

describe('a results document full of hostile names', { timeout: 60_000 }, () => {
  const doc = hostileResults();
  const files = renderAll(doc);

  it('is valid (names are data, not errors)', () => {
    expect(validateResults(doc)).toEqual([]);
  });

  it('HTML: still self-contained and script-free; names arrive as text', () => {
    const html = files.get('report.html')!;
    const root = checkHtml(html);
    const text = textContent(root);
    expect(text).toContain('<script>alert(1)</script>#');
    expect(text).toContain('<img src=x onerror="alert(2)">#');
    expect(text).toContain('bidi \\u202eevil\\u202c');
    expect(text).not.toContain('\u202e');
    // Long names are cut in table cells and headers (with …) but kept whole in the charts' <title>.
    const long = findAll(root, 'th')
      .map(textContent)
      .filter((t) => t.startsWith('long-'));
    expect(long.length).toBeGreaterThan(0);
    for (const t of long) expect([...t].length).toBeLessThanOrEqual(300);
    expect(findAll(root, 'title').some((t) => textContent(t).length > 5000)).toBe(true);
  });

  it('SVG charts: well-formed, nothing but drawing elements', () => {
    const allowed = new Set(['svg', 'title', 'desc', 'g', 'rect', 'line', 'path', 'circle', 'text']);
    let n = 0;
    for (const [name, svg] of files) {
      if (!name.endsWith('.svg')) continue;
      n++;
      const root = parseXml(svg);
      const walk = (e: ReturnType<typeof parseXml>) => {
        expect(allowed.has(e.name), e.name).toBe(true);
        for (const a of e.attrs.keys()) expect(a.startsWith('on')).toBe(false);
        for (const c of e.children) if (typeof c !== 'string') walk(c);
      };
      walk(root);
      checkNoInvisibles(svg);
    }
    expect(n).toBeGreaterThan(5);
  });

  it('Markdown: tables keep their shape, no raw HTML, no invisibles', () => {
    const md = files.get('report.md')!;
    checkMarkdown(md);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('pipe\\|in\\|\\|name');
  });

  it('text: 80 columns, control characters visible', () => {
    const txt = files.get('report.txt')!;
    checkText(txt);
    expect(txt).toContain('\\x1b[31mred');
    expect(txt).toContain('<script>alert(1)</script>');
  });

  it('results.json round-trips the names exactly', () => {
    const back = JSON.parse(files.get('results.json')!);
    expect(back.replay.rows.map((r: { capture: string }) => r.capture)).toEqual(
      doc.replay!.rows.map((r) => r.capture),
    );
  });

  it('compare-runs output escapes them too', () => {
    const c = compareRuns(doc, doc, { labels: ['<a>|run\n1', 'b\u202e'] });
    const txt = renderComparison(c, 'text');
    checkNoInvisibles(txt);
    const md = renderComparison(c, 'md');
    checkMarkdown(md);
    const json = JSON.parse(renderComparison(c, 'json'));
    expect(json.a.label).toBe('<a>|run\n1');
  });
});
