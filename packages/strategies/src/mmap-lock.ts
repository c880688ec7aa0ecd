/**
 * The classic strategy (every kernel up to v6.3, and the fallback of all others): mmap_read_lock(),
 * find_vma() (with stack expansion under the upgraded lock), access_error(), handle_mm_fault(),
 * mmap_read_unlock(), retrying with FAULT_FLAG_TRIED when the fault handler dropped the lock for I/O.
 */
import {
  defineStrategyPlugin,
  doUserAddrFault,
  type FaultStrategy,
  type StrategyNeeds,
  type StrategyPlugin,
} from '@vmakit/x86-fault';

const NEEDS: StrategyNeeds = Object.freeze({ lookup: 'locked', rcuFreedVmas: false });

/** Creates the mmap_lock strategy (it has no options). */
export function createMmapLockStrategy(): FaultStrategy {
  return {
    name: 'mmap-lock',
    description: 'mmap_read_lock + find_vma + handle_mm_fault (Linux <= 6.3, and every fallback)',
    needs: NEEDS,
    mutations: [],
    bytesCopied: () => 0,
    fault: (env, req) => doUserAddrFault(env, req, null),
  };
}

/** The mmap_lock strategy plug-in. */
export const mmapLockPlugin: StrategyPlugin = defineStrategyPlugin({
  meta: {
    name: 'mmap-lock',
    version: '0.1.0',
    kind: 'strategy',
    description:
      'mmap_read_lock around find_vma and handle_mm_fault (Linux <= 6.3; the fallback of all others)',
  },
  needs: NEEDS,
  strategy: createMmapLockStrategy(),
  create: () => createMmapLockStrategy(),
});
