/**
 * A small, deterministic 32-bit FNV-1a digest for report fields that let two replays be compared at
 * a glance (equal digests, equal inputs; collisions are possible but irrelevant at this scale).
 */

const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/** An incremental FNV-1a hash over UTF-16 code units. */
export class Fnv1a {
  private h = OFFSET;

  /** Mix in `s`. O(|s|). */
  add(s: string): this {
    let h = this.h;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, PRIME);
    }
    this.h = h;
    return this;
  }

  /** The digest as 8 hex digits. */
  hex(): string {
    return (this.h >>> 0).toString(16).padStart(8, '0');
  }
}

/** FNV-1a of `lines`, each followed by a newline. O(total length). */
export function digestLines(lines: readonly string[]): string {
  const h = new Fnv1a();
  for (const l of lines) h.add(l).add('\n');
  return h.hex();
}
