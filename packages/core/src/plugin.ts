/**
 * Plug-in descriptors. vmakit's commands and tests find indexes (and later strategies, workloads
 * and machine profiles) through one registry of such objects, so adding an index means adding a
 * package and one line of configuration.
 */
import type { IndexEra, IndexFactory, LocklessSemantics } from './vma-index.js';

/** Identification every plug-in carries. */
export interface PluginMeta<K extends string = string> {
  /** Registered name used on the command line (`--index NAME`). */
  readonly name: string;
  /** Version of the package providing it. */
  readonly version: string;
  readonly kind: K;
  /** One line for `vmakit list`. */
  readonly description?: string;
}

/** A VMA index plug-in. */
export interface IndexPlugin {
  readonly meta: PluginMeta<'index'>;
  /** Lockless-read semantics of the indexes it creates. */
  readonly semantics: LocklessSemantics;
  /** vm_area_struct layout its indexes imply. */
  readonly era: IndexEra;
  /** Creates an empty index. */
  readonly create: IndexFactory;
}

/** Identity function that type-checks an index plug-in. */
export function defineIndexPlugin(plugin: IndexPlugin): IndexPlugin {
  return plugin;
}
