/**
 * A small seeded random generator (mulberry32), so generated test data and benchmark inputs are the same on every
 * run.
 *
 * @module
 */

/**
 * Makes a generator of numbers in [0, 1) from a seed.
 *
 * @param seed Any 32-bit integer; the same seed gives the same sequence.
 * @returns The generator.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
