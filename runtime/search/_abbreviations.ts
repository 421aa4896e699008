/**
 * Abbreviations of the field that agents type for words tool descriptions spell out (`PR` for pull request, `db` for
 * database). The long forms are words of the recorded tool corpora (`tests/fixtures/tools_list/`,
 * `tests/fixtures/search/`; a test checks that each occurs there), and most short forms occur there too, in names
 * and descriptions (`db-stats`, `get-env`, `repo`, `config`, `docs`, `org`); none was taken from the benchmark
 * queries.
 *
 * @module
 */

/** Short form to the words it stands for. */
export const ABBREVIATIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ["pr", ["pull", "request"]],
  ["prs", ["pull", "request"]],
  ["mr", ["merge", "request"]],
  ["mrs", ["merge", "request"]],
  ["repo", ["repository"]],
  ["repos", ["repository"]],
  ["env", ["environment"]],
  ["envs", ["environment"]],
  ["db", ["database"]],
  ["dbs", ["database"]],
  ["k8s", ["kubernetes"]],
  ["config", ["configuration"]],
  ["cfg", ["configuration"]],
  ["dir", ["directory"]],
  ["dirs", ["directory"]],
  ["org", ["organization"]],
  ["orgs", ["organization"]],
  ["msg", ["message"]],
  ["info", ["information"]],
  ["auth", ["authentication"]],
  ["docs", ["documentation"]],
  ["doc", ["document"]],
  ["img", ["image"]],
  ["ci", ["pipeline", "build"]],
  ["kb", ["knowledge", "base"]],
  ["ns", ["namespace"]],
  ["js", ["javascript"]],
  ["ts", ["typescript"]],
  ["params", ["parameters"]],
  ["stats", ["statistics"]],
]);
