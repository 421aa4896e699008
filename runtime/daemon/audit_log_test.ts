import assert from "node:assert/strict";
import { join } from "node:path";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type { ToolCallEvent } from "../orchestrator/mod.ts";
import { FileAuditChain, verifyAuditFile } from "../state/mod.ts";
import { AuditLog } from "./audit_log.ts";

function callEvent(i: number): ToolCallEvent {
  return {
    type: "tool_call",
    time: new Date().toISOString(),
    session: "s1",
    taskId: `task-${i}`,
    server: "memory",
    tool: "read_graph",
    durationMs: 1.5,
    outcome: "ok",
    argsBytes: 2,
    resultBytes: 100,
  };
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(file);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

Deno.test("AuditLog writes every line of concurrent writers, in order", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "logs", "audit.jsonl");
  const order: string[] = [];
  {
    await using audit = new AuditLog({ file });
    // 50 async producers interleaving 100 writes each, while earlier batches are still being written.
    await Promise.all(
      Array.from({ length: 50 }, async (_, p) => {
        for (let i = 0; i < 100; i++) {
          const event = callEvent(p * 100 + i);
          order.push(event.taskId);
          audit.write(event);
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 0));
        }
      }),
    );
    await audit.flush();
    assert.equal(audit.lost, 0);
  }
  const written = await lines(file);
  assert.equal(written.length, 5000);
  assert.deepEqual(written.map((l) => l.taskId), order);
  assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("AuditLog rotates at maxBytes and keeps `keep` files", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "audit.jsonl");
  const maxBytes = 65_536;
  {
    await using audit = new AuditLog({ file, maxBytes, keep: 2 });
    // About 250 bytes a line: 2,000 lines are about 500 KB, several rotations.
    for (let i = 0; i < 2000; i++) {
      audit.write(callEvent(i));
      if (i % 100 === 0) await audit.flush();
    }
    await audit.flush();
  }
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.deepEqual(names, ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]);
  for (const name of names) assert.ok(Deno.statSync(join(dir, name)).size <= maxBytes, name);
  // The newest lines are in the current file, the ones before them in .1, then .2, with no gap between.
  const all = [
    ...await lines(`${file}.2`),
    ...await lines(`${file}.1`),
    ...await lines(file),
  ].map((l) => Number(String(l.taskId).slice(5)));
  assert.equal(all.at(-1), 1999);
  for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1]! + 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("AuditLog survives a failing folder: logs once, counts lost lines, and notes the gap once it works again", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (record) => void records.push(record) },
    loggers: [
      { category: ["mcp-executor", "audit"], lowestLevel: "info", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "fatal", sinks: [] },
    ],
  });
  const dir = await Deno.makeTempDir();
  const blocker = join(dir, "logs");
  await Deno.writeTextFile(blocker, "a file where the folder should be");
  const file = join(blocker, "audit.jsonl");
  try {
    await using audit = new AuditLog({ file });
    for (let i = 0; i < 30; i++) {
      audit.write(callEvent(i));
      await audit.flush();
    }
    assert.equal(audit.lost, 30);
    const errors = records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1, "one error logged for the whole failing streak");
    assert.match(String(errors[0]!.message.join("")), /Cannot write the audit log/);

    await Deno.remove(blocker);
    audit.write(callEvent(30));
    await audit.flush();
    const written = await lines(file);
    assert.deepEqual(written.map((l) => l.type), ["audit_gap", "tool_call"]);
    assert.equal(written[0]!.lost, 30);
    assert.equal(records.filter((r) => r.level === "info").length, 1);
  } finally {
    await reset();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AuditLog refuses bad options with the field named", () => {
  assert.throws(() => new AuditLog({ file: "" }), /field "file"/);
  assert.throws(() => new AuditLog({ file: "a.jsonl", maxBytes: 10 }), /field "maxBytes"/);
  assert.throws(() => new AuditLog({ file: "a.jsonl", keep: -1 }), /field "keep"/);
});

Deno.test("AuditLog with a replica names it in every line, inside the hashed chain", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "audit.jsonl");
    const chain = new FileAuditChain({ file, maxBytes: 1 << 20, keep: 0 });
    const audit = new AuditLog({ chain, replica: "r2" });
    audit.write(callEvent(1));
    audit.write(callEvent(2));
    await audit.close();
    await chain.close();
    const written = await lines(file);
    assert.deepEqual(written.map((l) => l.replica), ["r2", "r2"]);
    assert.ok((await verifyAuditFile(file)).intact);
    // The field is covered by the hash: changing it breaks the chain.
    await Deno.writeTextFile(file, (await Deno.readTextFile(file)).replace('"r2"', '"r9"'));
    assert.equal((await verifyAuditFile(file)).intact, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
