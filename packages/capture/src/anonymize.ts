/**
 * Renames file paths in maps and smaps text to neutral names (`/opt/app/fileN`), the same file
 * keeping the same name within one capture, as the shared captures do. Everything else on a line
 * (addresses, permissions, offset, device, inode, padding) is left byte for byte.
 *
 * Kept as they are: names in brackets (`[heap]`, `[stack]`, `[vdso]`, `[anon:...]`), and the
 * kernel's own names of shared-memory objects that a replay recognises by name — `/dev/zero`
 * (a shared anonymous mapping, mm/shmem.c shmem_zero_setup) and `/SYSV<key>` (ipc/shm.c
 * newseg). A memfd keeps its `/memfd:` prefix with a neutral name; a ` (deleted)` suffix is kept.
 */
import { parseMapsLine } from '@vmakit/formats';

const DELETED = ' (deleted)';

/** Assigns stable neutral names to paths, in order of first appearance. */
export class PathAnonymizer {
  private readonly names = new Map<string, string>();
  private files = 0;
  private memfds = 0;

  /**
   * @param prefix directory of the neutral names (default `/opt/app`)
   */
  constructor(private readonly prefix = '/opt/app') {}

  /** The neutral name of a maps path (unchanged for bracketed and kernel-owned names). O(length). */
  rename(path: string): string {
    if (!path.startsWith('/')) return path;
    const deleted = path.endsWith(DELETED);
    const base = deleted ? path.slice(0, -DELETED.length) : path;
    if (base === '/dev/zero' || base.startsWith('/SYSV')) return path;
    let name = this.names.get(base);
    if (name === undefined) {
      name = base.startsWith('/memfd:')
        ? `/memfd:file${++this.memfds}`
        : `${this.prefix}/file${++this.files}`;
      this.names.set(base, name);
    }
    return deleted ? `${name}${DELETED}` : name;
  }

  /** Original path → neutral name, for the paths renamed so far. */
  mapping(): ReadonlyMap<string, string> {
    return this.names;
  }
}

/** True for a maps header line (`start-end perms ...`), as opposed to an smaps counter line. */
function isHeaderLine(text: string): boolean {
  return /^[0-9a-f]+-[0-9a-f]+ /.test(text);
}

function renameLine(text: string, file: string, line: number, anon: PathAnonymizer): string {
  const entry = parseMapsLine(text, file, line);
  if (entry.path === '' || !text.endsWith(entry.path)) return text;
  const renamed = anon.rename(entry.path);
  return renamed === entry.path ? text : text.slice(0, text.length - entry.path.length) + renamed;
}

/**
 * Renames the paths of a maps or smaps text (lines ending in '\n'). Header lines are parsed with
 * the maps parser, so malformed input is a ParseError naming `file`. O(length).
 */
export function anonymizeProcText(text: string, file: string, anon: PathAnonymizer): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!;
    if (isHeaderLine(t)) lines[i] = renameLine(t, file, i + 1, anon);
  }
  return lines.join('\n');
}
