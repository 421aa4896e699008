/**
 * The loopback redirect of a sign-in: a one-page HTTP server on 127.0.0.1 that receives the authorization code.
 *
 * @module
 */

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif">` +
  `<h1>${title}</h1><p>${text}</p></body>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Waiter {
  state: string;
  resolve: (code: string) => void;
  reject: (error: Error) => void;
}

/**
 * Listens on `http://127.0.0.1:<port>/callback` (a random free port unless one is given) and hands the `code` of a
 * redirect whose `state` matches to whoever waits for that state. Any other request gets a 404 or an error page and
 * changes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoopbackListener } from "@mcp-executor/runtime";
 * await using listener = new LoopbackListener();
 * const code = listener.waitForCode("s1", 5_000);
 * await (await fetch(`${listener.redirectUrl}?code=abc&state=s1`)).body?.cancel();
 * assert.equal(await code, "abc");
 * ```
 */
export class LoopbackListener implements AsyncDisposable {
  /** The redirect URL to register and send: `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #waiters = new Map<string, Waiter>();

  /**
   * Starts listening at once.
   *
   * @param options `port`: a fixed port (default: a free one); `name`: the server signed in to, for the page.
   * @throws {Error} When the port is taken.
   */
  constructor(options: { port?: number; name?: string } = {}) {
    const name = escapeHtml(options.name ?? "the server");
    try {
      this.#server = Deno.serve({
        hostname: "127.0.0.1",
        port: options.port ?? 0,
        onListen: () => {},
      }, (request) => this.#handle(request, name));
    } catch (error) {
      throw new Error(
        `Cannot listen for the sign-in redirect on 127.0.0.1:${options.port ?? 0}: ${
          (error as Error).message
        }`,
      );
    }
    this.redirectUrl = `http://127.0.0.1:${this.#server.addr.port}/callback`;
  }

  #handle(request: Request, name: string): Response {
    const url = new URL(request.url);
    // "connection: close": a browser's keep-alive connection must not hold the listener open after the sign-in.
    const html = { headers: { "content-type": "text/html; charset=utf-8", "connection": "close" } };
    if (url.pathname !== "/callback") {
      return new Response("Not found", { status: 404, headers: { "connection": "close" } });
    }
    const state = url.searchParams.get("state") ?? "";
    const waiter = this.#waiters.get(state);
    if (waiter === undefined) {
      return new Response(
        PAGE("Sign-in not recognised", "This page does not belong to a sign-in under way."),
        { ...html, status: 400 },
      );
    }
    this.#waiters.delete(state);
    const error = url.searchParams.get("error");
    const code = url.searchParams.get("code");
    if (error !== null || code === null || code === "") {
      const description = url.searchParams.get("error_description");
      const why = error === null
        ? "the redirect carried no code"
        : `the authorization server answered "${error}"${
          description === null ? "" : `: ${description}`
        }`;
      waiter.reject(new Error(`Sign-in failed: ${why}`));
      return new Response(PAGE("Sign-in failed", escapeHtml(why)), { ...html, status: 400 });
    }
    waiter.resolve(code);
    return new Response(
      PAGE("Signed in", `Signed in to ${name}. You can close this tab.`),
      html,
    );
  }

  /**
   * Waits for the redirect with this `state`.
   *
   * @param state The `state` sent in the authorization request.
   * @param timeoutMs How long to wait.
   * @returns The authorization code.
   * @throws {Error} When the redirect carries an error, or none comes in time.
   */
  waitForCode(state: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(state);
        reject(
          new Error(
            `Sign-in failed: the browser did not come back to ${this.redirectUrl} within ${
              Math.round(timeoutMs / 1000)
            } s`,
          ),
        );
      }, timeoutMs);
      this.#waiters.set(state, {
        state,
        resolve: (code) => {
          clearTimeout(timer);
          resolve(code);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /**
   * Gives up waiting for one `state`: its wait fails, and a redirect that still comes with it is not recognised.
   *
   * @param state The `state` of the sign-in to give up.
   */
  cancel(state: string): void {
    const waiter = this.#waiters.get(state);
    this.#waiters.delete(state);
    waiter?.reject(new Error("Sign-in failed: it was cancelled"));
  }

  /**
   * Stops listening; waits still under way fail.
   *
   * @returns Resolves once the port is free.
   */
  async close(): Promise<void> {
    for (const waiter of this.#waiters.values()) {
      waiter.reject(new Error("Sign-in failed: the connection was closed"));
    }
    this.#waiters.clear();
    await this.#server.shutdown();
  }

  /** Same as {@linkcode LoopbackListener.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
