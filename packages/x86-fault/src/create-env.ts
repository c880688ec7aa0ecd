/**
 * Creates the fault model of an address space and attaches it to the mm, so that munmap, mprotect,
 * mremap, madvise and populate keep the page tables true from then on.
 */
import type { MmApi } from '@vmakit/core';
import { type FaultConfig, FaultEnv } from './env.js';
import { PageTableObserver } from './pt-observer.js';

/**
 * A FaultEnv for `mm` with empty page tables, registered as the mm's page-table observer
 * (`env.detach()` unregisters it). VMAs may already exist; their pages fault in on demand.
 */
export function createFaultEnv(mm: MmApi, config: FaultConfig = {}): FaultEnv {
  const env = new FaultEnv(mm, config);
  env.detach = mm.observe(new PageTableObserver(env));
  return env;
}
