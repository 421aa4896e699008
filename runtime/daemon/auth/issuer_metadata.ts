/**
 * {@linkcode discoverIssuer}: an authorization server's metadata, read from RFC 8414's
 * `/.well-known/oauth-authorization-server` or OpenID Connect's `/.well-known/openid-configuration`.
 *
 * @module
 */

/** The fields of an authorization server's metadata the daemon uses. */
export interface IssuerMetadata {
  /** The issuer, as the metadata names it (equal to the one asked for). */
  issuer: string;
  /** Where its signing keys are published. */
  jwks_uri?: string;
  /** Its RFC 7662 introspection endpoint. */
  introspection_endpoint?: string;
}

/**
 * The URLs metadata is looked for at, in order: RFC 8414's (the well-known part between host and path), then
 * OpenID Connect's (appended to the issuer), then OpenID Connect's RFC 8414 form.
 *
 * @param issuer The issuer URL.
 * @returns The URLs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { issuerMetadataUrls } from "./issuer_metadata.ts";
 * assert.deepEqual(issuerMetadataUrls("https://id.example/tenant"), [
 *   "https://id.example/.well-known/oauth-authorization-server/tenant",
 *   "https://id.example/tenant/.well-known/openid-configuration",
 *   "https://id.example/.well-known/openid-configuration/tenant",
 * ]);
 * ```
 */
export function issuerMetadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, "");
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/openid-configuration${path}`,
  ].filter((u, i, all) => all.indexOf(u) === i);
}

/**
 * Fetches an issuer's metadata from the first of {@linkcode issuerMetadataUrls} that answers with a document
 * naming the same issuer.
 *
 * @param issuer The issuer URL.
 * @param options `timeoutMs` for each request (default 10 s).
 * @returns The metadata.
 * @throws {Error} When no URL gives metadata for this issuer; the message lists what each answered.
 *
 * @example
 * ```ts ignore
 * const { jwks_uri } = await discoverIssuer("https://accounts.google.com");
 * ```
 */
export async function discoverIssuer(
  issuer: string,
  options: { timeoutMs?: number } = {},
): Promise<IssuerMetadata> {
  const tried: string[] = [];
  for (const url of issuerMetadataUrls(issuer)) {
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        tried.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const metadata = await response.json() as Partial<IssuerMetadata>;
      if (metadata.issuer !== issuer) {
        tried.push(`${url}: it names issuer ${JSON.stringify(metadata.issuer)}`);
        continue;
      }
      return metadata as IssuerMetadata;
    } catch (error) {
      tried.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`Cannot discover the metadata of issuer ${issuer}: ${tried.join("; ")}`);
}
