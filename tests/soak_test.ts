import assert from "node:assert/strict";
import { ONE_TIME_FDS, runSoak, SOAK_KINDS } from "../bench/_soak_run.ts";
import { noUnhandledRejections } from "./helpers/no_unhandled.ts";

// The short version of bench/soak.ts: 120 mixed tasks (20 of each kind) through one orchestrator over a real
// server-memory. Timings are not asserted (they belong in the benchmark); leaks are.
Deno.test(
  "soak: 120 mixed tasks end as expected and leave no processes, descriptors, sockets or temp folders",
  noUnhandledRejections(async () => {
    const report = await runSoak({ count: 120, window: 60, concurrency: 4 });
    assert.deepEqual(report.unexpected, []);
    for (const kind of SOAK_KINDS) {
      const total = Object.entries(report.outcomes)
        .filter(([key]) => key.startsWith(`${kind}:`))
        .reduce((sum, [, n]) => sum + n, 0);
      assert.equal(total, 20, `${kind}: ${JSON.stringify(report.outcomes)}`);
    }
    const [first, last] = [report.samples[0]!, report.samples.at(-1)!];
    assert.equal(last.fds, first.fds, "open descriptors stay level from one window to the next");
    assert.equal(last.children, first.children, "child processes stay level (server + idle pool)");
    for (const sample of report.samples) assert.equal(sample.sockets, 0, "no socket folder left");
    assert.equal(report.after.children, report.before.children, "no child process left");
    assert.ok(
      report.after.tempEntries <= report.before.tempEntries,
      "nothing left in the state folder (socket folders, stray files)",
    );
    assert.ok(
      report.after.fds <= report.before.fds + ONE_TIME_FDS,
      `descriptors: ${report.before.fds} before, ${report.after.fds} after`,
    );
  }),
);
