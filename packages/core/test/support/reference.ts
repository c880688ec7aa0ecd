/**
 * The reference index and shared-data helpers of @vmakit/testkit for core's tests. @vmakit/testkit depends on @vmakit/core, and core does not
 * list testkit as a dev dependency (that would need a root install), so the package name does not
 * resolve from here: import its source directly. Replace with `from '@vmakit/testkit'` once core has
 * the dev dependency.
 */
export {
  createReferenceIndex,
  findSharedDir,
  ReferenceIndex,
  sharedMissingMessage,
} from '../../../testkit/src/index.js';
