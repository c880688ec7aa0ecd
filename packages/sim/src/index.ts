export type {
  ThreadContext,
  ThreadProgram,
  Workload,
  WorkloadOp,
  WorkloadOptions,
  WorkloadPlugin,
} from './workload.js';
export { defineWorkloadPlugin } from './workload.js';
