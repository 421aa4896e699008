/**
 * A real PostgreSQL for tests: `MCPX_TEST_PG_URL` names a server (`.ci/run` starts a throwaway cluster and sets
 * it); each test gets a database of its own, dropped when disposed. Without the variable the tests that need it
 * are ignored, never passed.
 *
 * @module
 */

import postgres from "postgres";

/** The server tests may create databases on, from `MCPX_TEST_PG_URL`; `undefined` when not set. */
export const PG_URL: string | undefined = Deno.env.get("MCPX_TEST_PG_URL") || undefined;

/** A database of its own for one test; disposing drops it. */
export interface TestDatabase {
  /** Its `postgres://` URL. */
  url: string;
  /** Drops the database. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates an empty database on the `MCPX_TEST_PG_URL` server.
 *
 * @returns The database; `await using` drops it at the end of the test.
 * @throws {Error} When `MCPX_TEST_PG_URL` is not set (guard the test with `ignore: PG_URL === undefined`).
 */
export async function freshDatabase(): Promise<TestDatabase> {
  if (PG_URL === undefined) {
    throw new Error("Cannot create a test database: MCPX_TEST_PG_URL is not set");
  }
  const name = `mcpx_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async [Symbol.asyncDispose]() {
      const sql = postgres(PG_URL!, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}
