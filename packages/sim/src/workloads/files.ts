/**
 * Files the benchmarks open: a temporary file created with mkstemp(), sized with ftruncate() and
 * unlinked at once (will-it-scale page_fault2/3, mmap2 and its results area). Each call is a new file
 * (a new inode): equal FileRef ids mean the same file to the mm and fault models.
 */
import { allocId, type FileRef, PAGE_SIZE } from '@vmakit/core';

/** Package version reported in every workload plug-in's meta. */
export const WORKLOADS_VERSION = '0.1.0';

/**
 * An unlinked temporary file of `bytes` bytes. `tmpfs` makes it shmem-backed (a /tmp on tmpfs: no
 * ->page_mkwrite, pages live in the page cache only); otherwise a regular disk file system (ext4).
 */
export function tempFile(name: string, bytes: number, tmpfs: boolean): FileRef {
  return {
    id: allocId(),
    path: `/tmp/${name} (deleted)`,
    dev: tmpfs ? '00:1f' : '08:01',
    inode: allocId(),
    shmem: tmpfs,
    sizePages: Math.ceil(bytes / PAGE_SIZE),
  };
}
