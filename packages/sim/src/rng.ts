/**
 * Seeded pseudo-random streams (mulberry32 over a splitmix-style mix of the seed and a stream number):
 * each simulated thread and the scheduler get their own stream, so results depend only on the seed.
 */

/** A stream of numbers in [0, 1) for (`seed`, `stream`). */
export function randomStream(seed: number, stream: number): () => number {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
  a = (a ^ (a >>> 16)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
