export { createReferenceIndex, ReferenceIndex } from './reference-index.js';
export { findRepoRoot, findSharedDir, sharedMissingMessage } from './shared-dir.js';
