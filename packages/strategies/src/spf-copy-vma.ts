/**
 * Speculative page faults with a copy of the whole VMA (Lespinasse 2021: `pvma = *vma`, "200 bytes
 * on-stack" in the rbtree era, 160 bytes in the maple era), validated by the per-mm mmap_seq.
 */
import {
  defineStrategyPlugin,
  type FaultStrategy,
  type StrategyNeeds,
  type StrategyPlugin,
} from '@vmakit/x86-fault';
import { type SpfOptions, spfBytesCopied, spfFastPath, spfFault, spfMutations } from './spf.js';

const NEEDS: StrategyNeeds = Object.freeze({ lookup: 'lockless-validated', rcuFreedVmas: true });

/** Creates the whole-VMA-copy speculative strategy; options switch individual checks off (mutants). */
export function createSpfCopyVmaStrategy(options: SpfOptions = {}): FaultStrategy {
  const fast = spfFastPath('whole', options);
  return {
    name: 'spf-copy-vma',
    description:
      'speculative faults: lockless find_vma, copy of the whole VMA, mmap_seq validation (Lespinasse 2021)',
    needs: NEEDS,
    mutations: spfMutations(options),
    bytesCopied: (era) => spfBytesCopied('whole', era),
    fault: spfFault(fast),
  };
}

/** The whole-VMA-copy SPF plug-in. */
export const spfCopyVmaPlugin: StrategyPlugin<SpfOptions> = defineStrategyPlugin<SpfOptions>({
  meta: {
    name: 'spf-copy-vma',
    version: '0.1.0',
    kind: 'strategy',
    description: 'speculative faults copying the whole VMA, validated by mmap_seq (Lespinasse RFC, 2021)',
  },
  needs: NEEDS,
  strategy: createSpfCopyVmaStrategy(),
  create: (options) => createSpfCopyVmaStrategy(options),
});
