/**
 * A tiny, strict XML 1.0 well-formedness checker and parser for the tests, written from the XML
 * spec's grammar (not from any library): one root element, balanced tags, quoted attributes
 * without `<` or duplicates, only the five predefined entities and valid character references,
 * only XML characters. An optional `<!DOCTYPE html>` lets it read the (polyglot) HTML report.
 */

/** An element: name, attributes (decoded) and children (elements or decoded text). */
export interface XmlElement {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly (XmlElement | string)[];
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:.-]/;

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Thrown for any well-formedness error, with the offset. */
export class XmlError extends Error {}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    const near = this.s.slice(Math.max(0, this.pos - 30), this.pos + 30);
    throw new XmlError(`offset ${this.pos}: ${msg} near ${JSON.stringify(near)}`);
  }

  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.pos);
  }

  skipSpace(): void {
    while (this.pos < this.s.length && /[ \t\r\n]/.test(this.s[this.pos]!)) this.pos++;
  }

  name(): string {
    const start = this.pos;
    if (!NAME_START.test(this.s[this.pos] ?? '')) this.fail('expected a name');
    this.pos++;
    while (NAME_CHAR.test(this.s[this.pos] ?? '')) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** Decodes `&…;` at pos (which is at '&'). */
  reference(): string {
    const end = this.s.indexOf(';', this.pos);
    if (end < 0 || end - this.pos > 12) this.fail('unterminated or bare &');
    const body = this.s.slice(this.pos + 1, end);
    this.pos = end + 1;
    if (body in PREDEFINED) return PREDEFINED[body]!;
    const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (m === null) this.fail(`unknown entity &${body};`);
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2]!, 10);
    if (!isXmlChar(cp)) this.fail(`character reference to a non-XML character ${cp}`);
    return String.fromCodePoint(cp);
  }

  comment(): void {
    const end = this.s.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment');
    if (this.s.slice(this.pos + 4, end).includes('--')) this.fail('"--" inside a comment');
    this.pos = end + 3;
  }

  misc(): void {
    for (;;) {
      this.skipSpace();
      if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) {
        const end = this.s.indexOf('?>', this.pos);
        if (end < 0) this.fail('unterminated processing instruction');
        this.pos = end + 2;
      } else return;
    }
  }

  element(): XmlElement {
    if (!this.startsWith('<')) this.fail('expected <');
    this.pos++;
    const name = this.name();
    const attrs = new Map<string, string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      if (this.startsWith('/>')) {
        this.pos += 2;
        return { name, attrs, children: [] };
      }
      if (this.startsWith('>')) {
        this.pos++;
        break;
      }
      if (this.pos === before) this.fail('expected whitespace before an attribute');
      const an = this.name();
      this.skipSpace();
      if (!this.startsWith('=')) this.fail(`attribute ${an} without =`);
      this.pos++;
      this.skipSpace();
      const q = this.s[this.pos];
      if (q !== '"' && q !== "'") this.fail(`attribute ${an} value not quoted`);
      this.pos++;
      let value = '';
      while (this.s[this.pos] !== q) {
        const c = this.s[this.pos];
        if (c === undefined) this.fail('unterminated attribute value');
        if (c === '<') this.fail(`< in attribute ${an}`);
        if (c === '&') value += this.reference();
        else {
          value += c;
          this.pos++;
        }
      }
      this.pos++;
      if (attrs.has(an)) this.fail(`duplicate attribute ${an}`);
      attrs.set(an, value);
    }
    const children: (XmlElement | string)[] = [];
    let text = '';
    for (;;) {
      if (this.pos >= this.s.length) this.fail(`unclosed <${name}>`);
      if (this.startsWith('</')) {
        if (text !== '') children.push(text);
        this.pos += 2;
        const end = this.name();
        if (end !== name) this.fail(`</${end}> closes <${name}>`);
        this.skipSpace();
        if (!this.startsWith('>')) this.fail('expected > after end tag name');
        this.pos++;
        return { name, attrs, children };
      }
      if (this.startsWith('<!--')) {
        this.comment();
        continue;
      }
      if (this.startsWith('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unterminated CDATA');
        text += this.s.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.startsWith('<')) {
        if (text !== '') children.push(text);
        text = '';
        children.push(this.element());
        continue;
      }
      if (this.startsWith(']]>')) this.fail(']]> in text');
      if (this.s[this.pos] === '&') text += this.reference();
      else text += this.s[this.pos++];
    }
  }
}

/**
 * Parses `doc` as XML (after an optional `<!DOCTYPE html>`); throws XmlError on the first
 * well-formedness error.
 */
export function parseXml(doc: string): XmlElement {
  for (const ch of doc) {
    const cp = ch.codePointAt(0)!;
    if (!isXmlChar(cp)) throw new XmlError(`character U+${cp.toString(16)} is not allowed in XML`);
  }
  const p = new Parser(doc);
  p.misc();
  if (p.startsWith('<!DOCTYPE')) {
    const end = doc.indexOf('>', p.pos);
    if (end < 0 || doc.slice(p.pos, end).includes('[')) p.fail('unsupported DOCTYPE');
    p.pos = end + 1;
    p.misc();
  }
  const root = p.element();
  p.misc();
  if (p.pos !== doc.length) p.fail('content after the root element');
  return root;
}

/** Every element named `name` under (and including) `root`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') walk(c);
  };
  walk(root);
  return out;
}

/** Every element under (and including) `root`. */
export function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    out.push(e);
    for (const c of e.children) if (typeof c !== 'string') walk(c);
  };
  walk(root);
  return out;
}

/** The decoded text of an element and its descendants. */
export function textContent(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}
