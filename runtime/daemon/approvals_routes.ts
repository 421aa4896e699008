/**
 * The HTTP face of {@linkcode OperatorApprovals}: `GET /approvals` (JSON, Server-Sent Events, or the page) and
 * `POST /approvals/<id>`. Listing and answering need the `mcpx:approve` scope; the answer records who gave it.
 *
 * @module
 */

import type { Principal } from "../principal.ts";
import { acceptsHtml, approvalsPage } from "./approvals_page.ts";
import type { RouteHandler } from "./http_handler.ts";
import {
  type OperatorApprovalEvent,
  type OperatorApprovals,
  SelfApprovalError,
} from "./operator_approvals.ts";

/** The scope an operator needs to list and answer approvals. */
export const APPROVE_SCOPE = "mcpx:approve";

/** How often the event stream sends a comment so that proxies keep it open, in milliseconds. */
const KEEPALIVE_MS = 15_000;

function json(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

function forbidden(principal: Principal): Response | undefined {
  if (principal.scopes.includes(APPROVE_SCOPE)) return undefined;
  return json(403, {
    error: `Forbidden: principal "${principal.id}" does not hold the scope "${APPROVE_SCOPE}"`,
  });
}

/**
 * The approvals routes, to merge into the daemon's HTTP routes (`HttpHandlerOptions.routes`):
 *
 * - `GET /approvals`: `{ "pending": [...] }` as JSON; with `Accept: text/event-stream`, Server-Sent Events (a
 *   `snapshot` event with the same body, then `added`, `answered` and `withdrawn` events); with
 *   `Accept: text/html`, the page (which holds no secret and needs no scope).
 * - `POST /approvals/<id>` with `{ "approve": true | false, "reason"?: string }`: answers one; the answering
 *   principal is recorded with the call (`approval.answeredBy` in the audit trail).
 *
 * Both need the principal to hold `mcpx:approve` (403 otherwise); a principal cannot answer a call its own task
 * made (403), except the shared default principal of a daemon with a single token.
 *
 * @param approvals The daemon's pending approvals (`daemon.operatorApprovals`).
 * @returns The routes by path; `/approvals/` matches every path under it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalsRoutes } from "./approvals_routes.ts";
 * import { OperatorApprovals } from "./operator_approvals.ts";
 * const operators = new OperatorApprovals();
 * const routes = approvalsRoutes(operators);
 * const alice = { id: "alice", scopes: ["mcpx:approve"] };
 * const asked = operators.approve({ server: "memory", tool: "delete_entities", args: {}, taskId: "t1", rule: "*",
 *   signal: new AbortController().signal });
 * const list = await (await routes["/approvals"]!(new Request("http://localhost/approvals"), alice)).json();
 * assert.equal(list.pending.length, 1);
 * const post = new Request(`http://localhost/approvals/${list.pending[0].id}`, { method: "POST",
 *   headers: { "content-type": "application/json" }, body: JSON.stringify({ approve: false, reason: "no" }) });
 * assert.equal((await routes["/approvals/"]!(post, alice)).status, 200);
 * assert.equal((await asked as { answeredBy: string }).answeredBy, "alice");
 * const bob = { id: "bob", scopes: ["mcpx:execute"] };
 * assert.equal((await routes["/approvals"]!(new Request("http://localhost/approvals"), bob)).status, 403);
 * ```
 */
export function approvalsRoutes(approvals: OperatorApprovals): Record<string, RouteHandler> {
  return {
    "/approvals": (request, principal) => {
      if (request.method !== "GET") return json(405, { error: "Method not allowed: use GET" });
      if (acceptsHtml(request)) return approvalsPage();
      const refused = forbidden(principal);
      if (refused !== undefined) return refused;
      if ((request.headers.get("accept") ?? "").includes("text/event-stream")) {
        return eventStream(approvals, request.signal);
      }
      return json(200, { pending: approvals.list() });
    },
    "/approvals/": async (request, principal) => {
      const { pathname } = new URL(request.url);
      const id = decodeURIComponent(pathname.slice("/approvals/".length));
      if (id === "" || id.includes("/")) return json(404, { error: "Not found" });
      if (request.method !== "POST") return json(405, { error: "Method not allowed: use POST" });
      const refused = forbidden(principal);
      if (refused !== undefined) return refused;
      if (!(request.headers.get("content-type") ?? "").includes("application/json")) {
        return json(415, { error: "Cannot answer approval: send application/json" });
      }
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return json(400, { error: "Cannot answer approval: the body is not JSON" });
      }
      const answer = body as { approve?: unknown; reason?: unknown } | null;
      if (
        answer === null || typeof answer !== "object" || typeof answer.approve !== "boolean" ||
        (answer.reason !== undefined && typeof answer.reason !== "string")
      ) {
        return json(400, {
          error: 'Cannot answer approval: expected { "approve": true | false, "reason"?: string }',
        });
      }
      let answered: boolean;
      try {
        answered = await approvals.decide(id, {
          approve: answer.approve,
          ...(answer.reason === undefined ? {} : { reason: answer.reason as string }),
        }, principal.id);
      } catch (error) {
        if (error instanceof SelfApprovalError) return json(403, { error: error.message });
        throw error;
      }
      if (!answered) {
        return json(404, {
          error:
            `Cannot answer approval "${id}": it is not pending (answered, withdrawn or unknown)`,
        });
      }
      return json(200, { id, approved: answer.approve, answeredBy: principal.id });
    },
  };
}

function eventStream(approvals: OperatorApprovals, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      const event = (e: OperatorApprovalEvent) => {
        const { type, ...data } = e;
        send(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
        if (type === "closed") {
          stop();
          controller.close();
        }
      };
      send(`event: snapshot\ndata: ${JSON.stringify({ pending: approvals.list() })}\n\n`);
      const unsubscribe = approvals.subscribe(event);
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
      Deno.unrefTimer(keepalive);
      stop = () => {
        unsubscribe();
        clearInterval(keepalive);
      };
      signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      }, { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
