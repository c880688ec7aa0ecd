/**
 * Identity numbers for VMAs, index nodes and other simulated kernel objects. One counter serves
 * them all so a cost model can key cache lines by `(id, line)` without collisions.
 */
let next = 1;

/** A fresh identity, unique within this process. O(1). */
export function allocId(): number {
  return next++;
}
