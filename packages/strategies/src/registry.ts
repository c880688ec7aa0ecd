/**
 * The built-in strategy plug-ins, in the order reports list them, and lookup by name.
 */
import { UnknownNameError } from '@vmakit/core';
import type { StrategyPlugin } from '@vmakit/x86-fault';
import { mmapLockPlugin } from './mmap-lock.js';
import { perVmaLockPlugin } from './per-vma-lock.js';
import { spfCopyAttrsPlugin } from './spf-copy-attrs.js';
import { spfCopyVmaPlugin } from './spf-copy-vma.js';

/** The four built-in strategies. */
export const builtinStrategies: readonly StrategyPlugin<object>[] = Object.freeze([
  mmapLockPlugin,
  spfCopyVmaPlugin,
  spfCopyAttrsPlugin,
  perVmaLockPlugin,
]);

/** The built-in strategy plug-in called `name`; UnknownNameError lists the known ones. */
export function strategyPluginByName(name: string): StrategyPlugin<object> {
  const p = builtinStrategies.find((s) => s.meta.name === name);
  if (p === undefined) {
    throw new UnknownNameError(
      'strategy',
      name,
      builtinStrategies.map((s) => s.meta.name),
    );
  }
  return p;
}
