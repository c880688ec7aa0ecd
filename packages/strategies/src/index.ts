export type { PairingOptions, PairingVerdict } from '@vmakit/x86-fault';
export { checkPairing } from '@vmakit/x86-fault';
export type { BytesCopiedCell } from './bytes-matrix.js';
export { bytesCopiedMatrix } from './bytes-matrix.js';
export { createMmapLockStrategy, mmapLockPlugin } from './mmap-lock.js';
export type { PerVmaLockOptions } from './per-vma-lock.js';
export {
  createPerVmaLockStrategy,
  perVmaLockMutations,
  perVmaLockPlugin,
  vmaLockFastPath,
} from './per-vma-lock.js';
export { builtinStrategies, strategyPluginByName } from './registry.js';
export type { SpfOptions } from './spf.js';
export { spfBytesCopied, spfFastPath, spfMutations } from './spf.js';
export { createSpfCopyAttrsStrategy, spfCopyAttrsPlugin } from './spf-copy-attrs.js';
export { createSpfCopyVmaStrategy, spfCopyVmaPlugin } from './spf-copy-vma.js';
