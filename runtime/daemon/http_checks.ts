/**
 * The checks every authenticated HTTP request to the daemon passes before routing: the `Host` and `Origin` headers
 * against DNS rebinding. Who is calling is `auth/`'s question.
 *
 * @module
 */

/**
 * Whether a host names this machine: a bind address that listens only here, or a `Host` or `Origin` that
 * points here. The one loopback check of the daemon.
 *
 * @param hostname An address or name, IPv6 with or without brackets.
 * @returns `true` for `127.0.0.0/8`, `::1` and `localhost`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./http_checks.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("[::1]"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Checks the `Host` header: a loopback name (any port), the bound host, or one of `allowed` (with or without its
 * port).
 *
 * @param request The request.
 * @param allowed Extra accepted values, e.g. `"mcp.example.com"` or `"10.0.0.5:8787"`.
 * @param boundHost The host the daemon listens on.
 * @returns Why the request is refused, or `undefined` when it passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHost } from "./http_checks.ts";
 * const at = (host: string) => new Request("http://x/mcp", { headers: { host } });
 * assert.equal(checkHost(at("127.0.0.1:8787"), [], "127.0.0.1"), undefined);
 * assert.match(checkHost(at("evil.example:8787"), [], "127.0.0.1")!, /Host/);
 * ```
 */
export function checkHost(
  request: Request,
  allowed: readonly string[],
  boundHost: string | undefined,
): string | undefined {
  const host = (request.headers.get("host") ?? "").toLowerCase();
  const name = hostName(host);
  const accepted = isLoopback(name) ||
    (boundHost !== undefined && !isWildcard(boundHost) &&
      name === hostName(boundHost.toLowerCase())) ||
    allowed.some((entry) => {
      const lower = entry.toLowerCase();
      return lower === host || lower === name;
    });
  return accepted ? undefined : `Host header ${JSON.stringify(host)} is not allowed`;
}

/**
 * Checks the `Origin` header, when there is one: an `http://` loopback origin (any port), or one of `allowed`.
 *
 * @param request The request.
 * @param allowed Extra accepted origins, e.g. `"https://app.example.com"`.
 * @returns Why the request is refused, or `undefined` when it passes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOrigin } from "./http_checks.ts";
 * const from = (origin: string) => new Request("http://x/mcp", { headers: { origin } });
 * assert.equal(checkOrigin(from("http://localhost:3000"), []), undefined);
 * assert.match(checkOrigin(from("https://evil.example"), [])!, /Origin/);
 * ```
 */
export function checkOrigin(request: Request, allowed: readonly string[]): string | undefined {
  const origin = request.headers.get("origin");
  if (origin === null) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && (url.protocol === "http:" || url.protocol === "https:") &&
    isLoopback(url.hostname);
  if (loopback || allowed.some((entry) => entry.toLowerCase() === origin.toLowerCase())) {
    return undefined;
  }
  return `Origin ${JSON.stringify(origin)} is not allowed`;
}

function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}
