/**
 * Address distributions of the differential tests. Real address spaces cluster: an executable near
 * 0x555555554000, libraries and anonymous maps below 0x7f..., the stack just under the top of user
 * space, and tests like to poke at address 0. Ranges are drawn a few pages from a region's base, so
 * they collide, abut and leave one-page gaps far more often than uniform addresses would.
 */
import { type IndexOptions, PAGE_SIZE, TASK_SIZE } from '@vmakit/core';

/** Where addresses are drawn from. */
export interface Region {
  readonly name: string;
  /** Page-aligned base address. */
  readonly base: number;
}

/** The regions, indexed by the ops' `region` field. */
export const REGIONS: readonly Region[] = [
  { name: 'near 0', base: 0 },
  { name: 'executable', base: 0x555555554000 },
  { name: 'mmap area', base: 0x7f3a12340000 },
  // Starts 96 pages below the top of user space (0x7ffffffff000) so draws land on both sides of it.
  { name: 'top of user space', base: TASK_SIZE - 96 * PAGE_SIZE },
];

/** One flavour of differential run. */
export interface Profile {
  readonly name: string;
  /** Options passed to the factory (and to the reference). */
  readonly options: IndexOptions;
  /** Updates may use byte-granular ranges. */
  readonly bytes: boolean;
  /** Some updates are deliberately misaligned (checked mode must reject them). */
  readonly misaligned: boolean;
  /** Regions used, by index into REGIONS. */
  readonly regions: readonly number[];
  /** beginUpdate()/publish() brackets are interleaved with the updates. */
  readonly brackets: boolean;
}

/** The differential profiles, each run with its own seed. */
export const PROFILES: readonly Profile[] = [
  {
    name: 'page-aligned ranges, checked mode',
    options: { checked: true },
    bytes: false,
    misaligned: true,
    regions: [0, 1, 2, 3],
    brackets: false,
  },
  {
    name: 'byte-granular ranges',
    options: { pageAligned: false },
    bytes: true,
    misaligned: false,
    regions: [0, 1, 2, 3],
    brackets: false,
  },
  {
    name: 'dense churn near 0 and the top of user space',
    options: {},
    bytes: false,
    misaligned: false,
    regions: [0, 3],
    brackets: false,
  },
  {
    name: 'updates inside nested beginUpdate/publish brackets',
    options: { checked: true },
    bytes: false,
    misaligned: false,
    regions: [0, 1, 2, 3],
    brackets: true,
  },
];
