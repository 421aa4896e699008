import assert from "node:assert/strict";
import { DAEMON_SOAK_KINDS, runDaemonSoak } from "../../bench/_daemon_soak_run.ts";
import { noUnhandledRejections } from "../helpers/no_unhandled.ts";

// The short version of bench/daemon_soak.ts: the daemon as a subprocess over Streamable HTTP, 5 SDK clients at
// once for a few seconds, each cycling through every kind of call and ending its session (DELETE) after a few
// calls. Timings are not asserted (they belong in the benchmark); wrong outcomes and leaks are.
Deno.test(
  "daemon soak: 5 clients over HTTP get only the expected errors, and leave no session or process",
  noUnhandledRejections(async () => {
    const report = await runDaemonSoak({
      clients: 5,
      seconds: 8,
      windowSeconds: 60,
      sessionCalls: 4,
    });
    assert.deepEqual(report.unexpected, [], "every call ended as its kind expects");
    for (const kind of DAEMON_SOAK_KINDS) {
      assert.ok(report.calls[kind] > 0, `no ${kind} call ran: ${JSON.stringify(report.calls)}`);
    }
    for (const kind of ["throws", "timeout", "memory", "cancelled"] as const) {
      assert.equal(report.expectedErrors[kind], report.calls[kind], kind);
    }
    assert.ok(report.sessionsOpened > 5, "clients ended sessions and opened new ones");
    assert.equal(report.sessionsLeft, 0, "no session left open on the daemon");
    // Only the trivial and tool calls (and the warm-up's one) complete: no aborted call's task ran to its end.
    assert.equal(
      report.tasksByStatus.completed,
      report.calls.trivial + report.calls.tool + 1,
      `tasks by status: ${JSON.stringify(report.tasksByStatus)}`,
    );
    assert.ok(
      report.end.children <= report.start.children,
      `processes below the daemon: ${report.start.children} after warm-up, ${report.end.children} at the end`,
    );
    assert.equal(report.exitCode, 0);
    assert.equal(report.childrenLeft, 0, "no process left after the daemon exited");
  }),
);
