/**
 * {@linkcode within}: a test's guard against a promise that never settles.
 *
 * @module
 */

/**
 * Waits for a promise, or fails when it takes longer than allowed.
 *
 * @param promise What to wait for.
 * @param ms The most it may take, in milliseconds.
 * @param what What it is, for the error.
 * @returns The promise's value.
 * @throws {Error} `Hung: <what> took over <ms> ms` when it takes longer; otherwise what the promise rejects with.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Hung: ${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
