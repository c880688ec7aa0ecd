/**
 * Speculative page faults that copy only the fault attributes (vm_start, vm_end, vm_mm, vm_page_prot,
 * vm_flags, vm_ops, vm_pgoff, vm_file, vm_private_data, vm_policy: 80 bytes) into the fault descriptor —
 * the alternative the RFC's cover letter mentions ("in principle it would be sufficient to only read
 * the vma attributes that are used in page faults") — plus the anon_vma pointer (8 bytes), which the
 * anonymous and COW paths test. It must be copied with the rest inside the RCU read section: once the
 * section ends the VMA may be freed, so reading it from the live VMA later would be a use-after-free
 * (the final mmap_seq check would reject a stale value, but cannot make the read itself safe).
 */
import {
  defineStrategyPlugin,
  type FaultStrategy,
  type StrategyNeeds,
  type StrategyPlugin,
} from '@vmakit/x86-fault';
import { type SpfOptions, spfBytesCopied, spfFastPath, spfFault, spfMutations } from './spf.js';

const NEEDS: StrategyNeeds = Object.freeze({ lookup: 'lockless-validated', rcuFreedVmas: true });

/** Creates the attribute-copy speculative strategy; options switch individual checks off (mutants). */
export function createSpfCopyAttrsStrategy(options: SpfOptions = {}): FaultStrategy {
  const fast = spfFastPath('attributes', options);
  return {
    name: 'spf-copy-attrs',
    description:
      'speculative faults copying only the fault attributes and anon_vma (88 B), mmap_seq validation',
    needs: NEEDS,
    mutations: spfMutations(options),
    bytesCopied: (era) => spfBytesCopied('attributes', era),
    fault: spfFault(fast),
  };
}

/** The attribute-copy SPF plug-in. */
export const spfCopyAttrsPlugin: StrategyPlugin<SpfOptions> = defineStrategyPlugin<SpfOptions>({
  meta: {
    name: 'spf-copy-attrs',
    version: '0.1.0',
    kind: 'strategy',
    description:
      'speculative faults copying only the fault attributes and anon_vma (88 B), validated by mmap_seq',
  },
  needs: NEEDS,
  strategy: createSpfCopyAttrsStrategy(),
  create: (options) => createSpfCopyAttrsStrategy(options),
});
