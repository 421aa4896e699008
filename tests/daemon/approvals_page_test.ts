/**
 * The approvals page in headless Chromium against a real daemon process (approver "operator", a bearer token, real
 * server-memory): the page asks for the token, lists the waiting call, and its Approve and Deny buttons decide it.
 * Ignored where /usr/bin/chromium is absent (CI installs Debian's chromium).
 */

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { Client, StreamableHTTPClientTransport } from "../../runtime/sdk.ts";
import { daemonDir, httpDaemon } from "./_daemon.ts";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "page-test-token-93c2-0123456789abcdef0123";

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const program = (name: string) => `
await memory.createEntities({ entities: [{ name: ${
  JSON.stringify(name)
}, entityType: "probe", observations: [] }] });
await memory.deleteEntities({ entityNames: [${JSON.stringify(name)}] });
const left = await memory.openNodes({ names: [${JSON.stringify(name)}] });
return left.entities.length;`;

Deno.test({
  name: "approvals page: Approve lets the waiting call out, Deny refuses it",
  ignore: !hasChromium(),
  // Playwright keeps its pipe to the browser and timers of its own beyond the test's awaits.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using dir = await daemonDir({ approvals: { approver: "operator" } });
    await using daemon = await httpDaemon(dir.config, {
      env: { MCPX_TOKEN: TOKEN },
      token: TOKEN,
    });
    const client = new Client({ name: "agent", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(daemon.url, {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const response = await page.goto(`${daemon.base}/approvals`);
      assert.equal(response?.status(), 200, "the page opens without a token");
      assert.match(await page.content(), /Tool calls waiting for approval/);
      assert.ok(!(await page.content()).includes(TOKEN), "the page holds no secret");
      await page.fill("#token", TOKEN);
      await page.click("#token-form button");
      await page.waitForSelector("#empty:not([hidden])");

      const approvedRun = client.callTool({
        name: "execute_code",
        arguments: { code: program("Page Probe A") },
      });
      const row = page.locator("#pending tr");
      await row.first().waitFor({ timeout: 60_000 });
      const text = await row.first().innerText();
      for (const part of ["memory", "delete_entities", "Page Probe A", "default:destructive"]) {
        assert.ok(text.includes(part), `the row shows ${part}: ${text}`);
      }
      assert.match(text, /default/, "the row shows the principal");
      await row.first().locator("button.approve").click();
      const approved = await approvedRun as {
        isError?: boolean;
        structuredContent?: { data?: unknown };
      };
      assert.equal(approved.isError ?? false, false, JSON.stringify(approved));
      assert.equal(approved.structuredContent?.data, 0, "the entity was deleted");

      const deniedRun = client.callTool({
        name: "execute_code",
        arguments: { code: program("Page Probe B") },
      });
      await page.locator("#pending tr", { hasText: "Page Probe B" }).waitFor({ timeout: 60_000 });
      await page.locator("#pending tr", { hasText: "Page Probe B" }).locator("button.deny").click();
      const denied = await deniedRun as {
        isError?: boolean;
        structuredContent?: { error?: { code: string } };
      };
      assert.equal(denied.isError, true);
      assert.equal(denied.structuredContent?.error?.code, "not_approved");
      await page.waitForSelector("#empty:not([hidden])");
    } finally {
      await browser.close();
      await client.close();
    }
  },
});
