import assert from "node:assert/strict";
import { startAskingServer } from "../../tests/helpers/asking_server.ts";
import { ConnectionManager } from "./connection_manager.ts";
import { DECLINE_REASON_KEY, type ElicitationHandler } from "./elicitation.ts";

function managerFor(
  url: string,
  options: { onElicitation?: ElicitationHandler; elicitationTimeoutMs?: number },
): ConnectionManager {
  return new ConnectionManager({ servers: { asking: { type: "http", url, headers: {} } } }, {
    signInFile: "/nonexistent/tokens.json",
    ...options,
  });
}

async function ask(manager: ConnectionManager, question: string, taskId?: string): Promise<string> {
  const result = await manager.callToolRaw("asking", "ask", { question }, {
    ...(taskId === undefined ? {} : { context: { taskId, session: `session-${taskId}` } }),
  });
  return (result.content[0] as { text: string }).text;
}

Deno.test("without onElicitation the client declares no elicitation capability", async () => {
  await using server = startAskingServer();
  await using manager = managerFor(server.url, {});
  await manager.connectAll();
  const text = await ask(manager, "name?");
  assert.match(text, /^failed: .*elicitation/i);
  assert.notEqual(server.capabilities(), undefined);
  assert.equal((server.capabilities() as { elicitation?: unknown }).elicitation, undefined);
});

Deno.test("onElicitation answers, and each concurrent call's elicitation carries its own task", async () => {
  await using server = startAskingServer();
  const seen: { question: string; taskId?: string; session?: string; inFlight: number }[] = [];
  let release!: () => void;
  const bothArrived = new Promise<void>((resolve) => release = resolve);
  await using manager = managerFor(server.url, {
    onElicitation: async (request) => {
      const question = (request.params as { message: string }).message;
      seen.push({
        question,
        ...(request.call?.taskId === undefined ? {} : { taskId: request.call.taskId }),
        ...(request.call?.session === undefined ? {} : { session: request.call.session }),
        inFlight: request.inFlight.length,
      });
      if (seen.length === 2) release();
      await bothArrived; // Both calls are in flight now: only the async context can tell them apart.
      return { action: "accept", content: { name: `answer to ${question}` } };
    },
  });
  await manager.connectAll();
  const [a, b] = await Promise.all([ask(manager, "q1", "t1"), ask(manager, "q2", "t2")]);
  assert.deepEqual(JSON.parse(a), { action: "accept", content: { name: "answer to q1" } });
  assert.deepEqual(JSON.parse(b), { action: "accept", content: { name: "answer to q2" } });
  assert.deepEqual(
    Object.keys((server.capabilities() as { elicitation: object }).elicitation),
    ["form", "url"],
  );
  seen.sort((x, y) => x.question.localeCompare(y.question));
  assert.deepEqual(seen, [
    { question: "q1", taskId: "t1", session: "session-t1", inFlight: 2 },
    { question: "q2", taskId: "t2", session: "session-t2", inFlight: 2 },
  ]);
});

Deno.test("a handler that throws, answers nothing or misses the deadline declines with the reason", async (t) => {
  await using server = startAskingServer();
  const cases: [string, ElicitationHandler, RegExp][] = [
    [
      "throws",
      () => Promise.reject(new Error("no client session")),
      /the handler failed: no client session/,
    ],
    ["returns undefined", () => undefined, /nobody was there to answer/],
    ["never answers", () => new Promise(() => {}), /no answer within 50 ms/],
  ];
  for (const [name, handler, reason] of cases) {
    await t.step(name, async () => {
      await using manager = managerFor(server.url, {
        onElicitation: handler,
        elicitationTimeoutMs: 50,
      });
      await manager.connectAll();
      const answer = JSON.parse(await ask(manager, "name?", "t1"));
      assert.equal(answer.action, "decline");
      assert.match(answer._meta[DECLINE_REASON_KEY], reason);
    });
  }
});
