/**
 * The page at `GET /approvals` (for a browser, `Accept: text/html`): plain HTML and `fetch`, no build step. It holds
 * no secret: it asks for the bearer token in a field, keeps it in `sessionStorage` (gone when the tab closes), and
 * sends it as `Authorization: Bearer` when it lists the pending approvals (every 2 seconds) and when it answers one.
 *
 * @module
 */

const SCRIPT = `
const KEY = "mcpx-approvals-token";
const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };
function headers(json) {
  const h = { accept: "application/json" };
  const token = sessionStorage.getItem(KEY);
  if (token) h.authorization = "Bearer " + token;
  if (json) h["content-type"] = "application/json";
  return h;
}
function cell(row, text, tag) {
  const td = document.createElement("td");
  if (tag) { const inner = document.createElement(tag); inner.textContent = text; td.append(inner); }
  else td.textContent = text;
  row.append(td);
}
async function answer(id, approve) {
  const response = await fetch("/approvals/" + encodeURIComponent(id), {
    method: "POST", headers: headers(true), body: JSON.stringify({ approve }),
  });
  status(response.ok ? (approve ? "Approved " : "Denied ") + id : "Cannot answer: HTTP " + response.status);
  await refresh();
}
async function refresh() {
  let response;
  try {
    response = await fetch("/approvals", { headers: headers(false) });
  } catch (error) { status("Cannot reach the daemon: " + error.message); return; }
  if (!response.ok) {
    status(response.status === 401 ? "Give a valid bearer token" :
      response.status === 403 ? "This token does not hold mcpx:approve" : "HTTP " + response.status);
    return;
  }
  const { pending } = await response.json();
  const body = $("pending");
  body.replaceChildren();
  for (const a of pending) {
    const row = document.createElement("tr");
    row.dataset.id = a.id;
    cell(row, a.server); cell(row, a.tool);
    cell(row, JSON.stringify(a.args, null, 1), "pre");
    cell(row, a.taskId + (a.session ? " (session " + a.session + ")" : ""));
    cell(row, a.principal ?? ""); cell(row, a.rule);
    const td = document.createElement("td");
    for (const [label, approve] of [["Approve", true], ["Deny", false]]) {
      const button = document.createElement("button");
      button.textContent = label;
      button.className = label.toLowerCase();
      button.addEventListener("click", () => answer(a.id, approve));
      td.append(button);
    }
    row.append(td);
    body.append(row);
  }
  $("empty").hidden = pending.length > 0;
  status("Updated " + new Date().toLocaleTimeString());
}
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("token").value);
  $("token").value = "";
  refresh();
});
refresh();
setInterval(refresh, 2000);
`;

function html(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcp-executor: approvals</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .4em; text-align: left; vertical-align: top; }
pre { margin: 0; max-height: 20em; overflow: auto; white-space: pre-wrap; }
button { margin-right: .4em; }
</style>
</head>
<body>
<h1>Tool calls waiting for approval</h1>
<form id="token-form">
<label>Bearer token (kept in this tab's sessionStorage) <input id="token" type="password" autocomplete="off"></label>
<button type="submit">Use token</button>
</form>
<p id="status" role="status"></p>
<table>
<thead><tr><th>Server</th><th>Tool</th><th>Arguments</th><th>Task</th><th>Principal</th><th>Rule</th><th></th></tr></thead>
<tbody id="pending"></tbody>
</table>
<p id="empty">No tool call is waiting.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

let page: Promise<{ body: string; csp: string }> | undefined;

async function build(): Promise<{ body: string; csp: string }> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(SCRIPT));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  return {
    body: html(),
    // Only this page's own script runs, and it talks only to this origin.
    csp: `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; ` +
      "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  };
}

/**
 * The approvals page, with a Content-Security-Policy that lets only its own script run.
 *
 * @returns A `text/html` response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalsPage } from "./approvals_page.ts";
 * const response = await approvalsPage();
 * assert.match(response.headers.get("content-type")!, /text\/html/);
 * assert.match(await response.text(), /Approve|Tool calls waiting/);
 * ```
 */
export async function approvalsPage(): Promise<Response> {
  page ??= build();
  const { body, csp } = await page;
  return new Response(body, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": csp,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    },
  });
}

/**
 * Whether a request asks for a page (a browser's navigation): `Accept` names `text/html`.
 *
 * @param request The request.
 * @returns `true` for `Accept: text/html`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptsHtml } from "./approvals_page.ts";
 * assert.equal(acceptsHtml(new Request("http://x/", { headers: { accept: "text/html,*\/*" } })), true);
 * assert.equal(acceptsHtml(new Request("http://x/")), false);
 * ```
 */
export function acceptsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}
