/**
 * The daemon's OAuth 2.0 Protected Resource Metadata (RFC 9728): which authorization server issues its tokens and
 * which scopes it knows, served without a token at `/.well-known/oauth-protected-resource/mcp` and
 * `/.well-known/oauth-protected-resource`, with CORS so that browser clients can read it.
 *
 * @module
 */

import {
  type OAuthProtectedResourceMetadata,
  OAuthProtectedResourceMetadataSchema,
} from "../../sdk.ts";
import { ALL_SCOPES } from "./scopes.ts";

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** Options for {@linkcode protectedResourceMetadata}. */
export interface ResourceMetadataOptions {
  /** The canonical URL of the MCP endpoint, e.g. `https://mcp.example.com/mcp` (no trailing slash). */
  resource: string;
  /** The authorization server's issuer URL. */
  issuer: string;
  /** The scopes to list. Default: every `mcpx:` scope. */
  scopes?: readonly string[];
}

/**
 * Builds the metadata document, checked against the SDK's schema.
 *
 * @param options The resource, the issuer and the scopes.
 * @returns The document.
 * @throws {TypeError} When a URL is not valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protectedResourceMetadata } from "./resource_metadata.ts";
 * const metadata = protectedResourceMetadata({
 *   resource: "https://mcp.example.com/mcp",
 *   issuer: "https://login.example.com",
 * });
 * assert.deepEqual(metadata.authorization_servers, ["https://login.example.com"]);
 * assert.ok(metadata.scopes_supported?.includes("mcpx:execute"));
 * ```
 */
export function protectedResourceMetadata(
  options: ResourceMetadataOptions,
): OAuthProtectedResourceMetadata {
  const result = OAuthProtectedResourceMetadataSchema.safeParse({
    resource: options.resource,
    authorization_servers: [options.issuer],
    scopes_supported: [...(options.scopes ?? ALL_SCOPES)],
    bearer_methods_supported: ["header"],
    resource_name: "mcp-executor",
  });
  if (!result.success) {
    throw new TypeError(
      `Cannot describe the protected resource ${JSON.stringify(options.resource)}: ${
        result.error.issues[0]?.message
      }`,
    );
  }
  return result.data;
}

/**
 * Where a resource's metadata is served: the well-known path with the resource's path appended (RFC 9728 §3.1),
 * which clients try first, then the root form.
 *
 * @param resource The resource's URL.
 * @returns The paths, most specific first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resourceMetadataPaths } from "./resource_metadata.ts";
 * assert.deepEqual(resourceMetadataPaths("https://mcp.example.com/mcp"), [
 *   "/.well-known/oauth-protected-resource/mcp",
 *   "/.well-known/oauth-protected-resource",
 * ]);
 * ```
 */
export function resourceMetadataPaths(resource: string): string[] {
  const path = new URL(resource).pathname.replace(/\/$/, "");
  return path === "" ? [WELL_KNOWN] : [`${WELL_KNOWN}${path}`, WELL_KNOWN];
}

/**
 * The URL a `WWW-Authenticate` challenge points at (`resource_metadata="..."`).
 *
 * @param resource The resource's URL.
 * @returns The metadata's URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resourceMetadataUrl } from "./resource_metadata.ts";
 * assert.equal(
 *   resourceMetadataUrl("https://mcp.example.com/mcp"),
 *   "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
 * );
 * ```
 */
export function resourceMetadataUrl(resource: string): string {
  return new URL(resourceMetadataPaths(resource)[0]!, resource).href;
}

/**
 * Answers a request for the metadata: `GET` (or `HEAD`) with the document, `OPTIONS` for a CORS preflight.
 *
 * @param request The request.
 * @param metadata The document.
 * @returns The response, or `undefined` when the request is not for the metadata.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protectedResourceMetadata, resourceMetadataResponse } from "./resource_metadata.ts";
 * const metadata = protectedResourceMetadata({ resource: "http://127.0.0.1:8787/mcp", issuer: "https://id.example" });
 * const response = resourceMetadataResponse(
 *   new Request("http://127.0.0.1:8787/.well-known/oauth-protected-resource"),
 *   metadata,
 * );
 * assert.equal(response?.headers.get("access-control-allow-origin"), "*");
 * assert.equal((await response!.json()).resource, "http://127.0.0.1:8787/mcp");
 * ```
 */
export function resourceMetadataResponse(
  request: Request,
  metadata: OAuthProtectedResourceMetadata,
): Response | undefined {
  const { pathname } = new URL(request.url);
  if (!resourceMetadataPaths(metadata.resource).includes(pathname)) return undefined;
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, OPTIONS",
    "access-control-allow-headers": "*",
  };
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method not allowed\n", {
      status: 405,
      headers: { ...cors, allow: "GET, OPTIONS" },
    });
  }
  return new Response(request.method === "HEAD" ? null : JSON.stringify(metadata), {
    headers: { ...cors, "content-type": "application/json", "cache-control": "max-age=3600" },
  });
}
