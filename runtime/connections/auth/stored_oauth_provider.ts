/**
 * The SDK's `OAuthClientProvider` for one configured server, backed by the user's sign-in file.
 *
 * @module
 */

import type { OAuthConfig } from "../../config.ts";
import { logger } from "../../log.ts";
import {
  auth,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  UnauthorizedError,
} from "../../sdk.ts";
import { LoopbackListener } from "./loopback_listener.ts";
import { refreshTokenOf, shareRefreshes } from "./share_refreshes.ts";
import type { SignInStore } from "./sign_in_store.ts";
import { SignInRequiredError } from "./sign_in_required_error.ts";
import type { SignInKey, StoredSignIn } from "./file_sign_in_store.ts";
import { DEFAULT_PRINCIPAL } from "../../principal.ts";
import type { InFlightCall } from "../elicitation.ts";

const log = logger("auth");

/**
 * What {@linkcode AuthorizationUrlHandler} receives: the page the user must open to sign in.
 *
 * @example
 * ```ts
 * import type { AuthorizationUrlRequest } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const request: AuthorizationUrlRequest = { server: "linear", url: new URL("https://auth.example.com/authorize?state=s1"),
 *   redirectUrl: "http://127.0.0.1:8976/callback" };
 * assert.equal(request.url.searchParams.get("state"), "s1");
 * ```
 */
export interface AuthorizationUrlRequest {
  /** The server's name in mcp.json. */
  server: string;
  /** Whose sign-in it is: the URL must reach that principal only. Absent: the default principal. */
  principal?: string;
  /** The authorization URL (it carries the PKCE challenge and state, no secret). */
  url: URL;
  /** Where the browser comes back: the loopback listener. */
  redirectUrl: string;
  /** The tool call the sign-in started in (a 401 or a step-up during it), if it started in one. */
  call?: InFlightCall;
}

/**
 * Shows an authorization URL to the user: print it, open a browser, or ask the agent's client to open it.
 *
 * @example Show the sign-in link instead of opening a browser
 * ```ts
 * import { type AuthorizationUrlHandler, ServerConnection } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const shown: string[] = [];
 * const onAuthorizationUrl: AuthorizationUrlHandler = ({ server, url }) => void shown.push(`${server}: open ${url}`);
 * await onAuthorizationUrl({ server: "linear", url: new URL("https://auth.example.com/authorize?state=s1"),
 *   redirectUrl: "http://127.0.0.1:8976/callback" });
 * assert.match(shown[0] ?? "", /^linear: open https:\/\/auth\.example\.com/);
 * await using _linear = new ServerConnection("linear", { type: "http", url: "https://mcp.linear.app/mcp", headers: {} },
 *   { onAuthorizationUrl });
 * ```
 */
export type AuthorizationUrlHandler = (request: AuthorizationUrlRequest) => void | Promise<void>;

/** Options for {@linkcode StoredOAuthProvider}. */
export interface StoredOAuthProviderOptions {
  /** The server's name in mcp.json. */
  server: string;
  /** Whose sign-in this provider reads and stores. Default {@linkcode DEFAULT_PRINCIPAL}. */
  principal?: string;
  /** Its URL. */
  url: string;
  /** The entry's `oauth` field. */
  oauth?: OAuthConfig;
  /** Where sign-ins are kept: the sign-in file, or the shared state store. */
  store: SignInStore;
  /** Shows the authorization URL; without it a needed sign-in fails with {@linkcode SignInRequiredError}. */
  onAuthorizationUrl?: AuthorizationUrlHandler;
  /** How long a sign-in may take once the URL was shown, in milliseconds. Default 300,000. */
  signInTimeoutMs?: number;
  /** The client name sent when registering. Default `"mcp-executor"`. */
  clientName?: string;
}

/** Refresh this long before the access token expires (or half its lifetime before, for short-lived tokens). */
const REFRESH_MARGIN_MS = 60_000;
const PLACEHOLDER_REDIRECT = "http://127.0.0.1/callback";

function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/**
 * One server's OAuth client: the SDK runs discovery, registration, PKCE, token exchange, refresh and step-up
 * through it; this class keeps the results in the {@linkcode SignInStore} and runs the loopback redirect.
 *
 * @example
 * ```ts ignore
 * const provider = new StoredOAuthProvider({ server: "linear", url, store: new FileSignInStore() });
 * const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
 * ```
 */
export class StoredOAuthProvider implements OAuthClientProvider {
  /**
   * The fetch to give the transport: concurrent refreshes with one refresh token share one request; with a shared
   * store, one request across every process that shares it.
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  #options: StoredOAuthProviderOptions;
  #entry: StoredSignIn | undefined;
  #loaded = false;
  #listener: LoopbackListener | undefined;
  #state: string | undefined;
  #verifier: string | undefined;
  #pending: Promise<string> | undefined;
  #discovery: OAuthDiscoveryState | undefined;
  #refused = false;
  #refreshing: Promise<void> | undefined;

  /**
   * @param options The server, its `oauth` field, the store and the URL handler.
   */
  constructor(options: StoredOAuthProviderOptions) {
    this.#options = options;
    const { store, url } = options;
    this.fetch = shareRefreshes(
      store.refreshOnce === undefined ? fetch : (input, init) => {
        const token = refreshTokenOf(init);
        return token === undefined
          ? fetch(input, init)
          : store.refreshOnce!(this.#key(), url, token, () => fetch(input, init));
      },
    );
  }

  /** Whose sign-in this provider reads and stores. */
  get principal(): string {
    return this.#options.principal ?? DEFAULT_PRINCIPAL;
  }

  /** Whether a sign-in can happen here (someone is shown the URL). */
  get interactive(): boolean {
    return this.#options.onAuthorizationUrl !== undefined;
  }

  /** The loopback redirect; started on first use when interactive. */
  get redirectUrl(): string {
    if (this.interactive) {
      this.#listener ??= new LoopbackListener({
        name: `"${this.#options.server}"`,
        ...(this.#options.oauth?.callbackPort === undefined
          ? {}
          : { port: this.#options.oauth.callbackPort }),
      });
      return this.#listener.redirectUrl;
    }
    const client = this.#entry?.client as { redirect_uris?: string[] } | undefined;
    return client?.redirect_uris?.[0] ?? PLACEHOLDER_REDIRECT;
  }

  /** The HTTPS client ID metadata document from the `oauth` field, if any. */
  get clientMetadataUrl(): string | undefined {
    return this.#options.oauth?.clientMetadataUrl;
  }

  /** What the client registers: a native app with a loopback redirect and refresh tokens. */
  get clientMetadata(): OAuthClientMetadata {
    const metadata: OAuthClientMetadata = {
      client_name: this.#options.clientName ?? "mcp-executor",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    };
    if (this.#options.oauth?.scopes !== undefined) metadata.scope = this.#options.oauth.scopes;
    return metadata;
  }

  /** A fresh random `state` per authorization request. */
  state(): string {
    this.#state = randomState();
    return this.#state;
  }

  /** The pre-registered client from mcp.json, else the stored registration. */
  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    await this.reload();
    if (!this.interactive && this.#entry?.tokens === undefined) {
      // Nobody to show a URL to and nothing to refresh: registering now would only leave a stale client behind.
      throw this.#signInRequired();
    }
    const { clientId, clientSecret } = this.#options.oauth ?? {};
    if (clientId !== undefined) {
      return clientSecret === undefined
        ? { client_id: clientId }
        : { client_id: clientId, client_secret: clientSecret };
    }
    const client = this.#entry?.client;
    if (client === undefined) return undefined;
    // Without tokens a sign-in follows, whose redirect comes to this process's listener: a registration made
    // for another loopback port cannot receive it, so register again.
    const uris = (client as { redirect_uris?: string[] }).redirect_uris;
    if (this.interactive && this.#entry?.tokens === undefined && uris !== undefined) {
      if (!uris.includes(this.redirectUrl)) return undefined;
    }
    return client;
  }

  /** Keeps a dynamic registration (a pre-registered client is never written to the file). */
  async saveClientInformation(client: OAuthClientInformationMixed): Promise<void> {
    if (this.#options.oauth?.clientId !== undefined) return;
    await this.#update((entry) => ({ ...entry, client }));
  }

  /** The stored tokens. */
  tokens(): OAuthTokens | undefined {
    return this.#entry?.tokens;
  }

  /** Stores new tokens with their expiry time. */
  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.#refused = false;
    await this.#update((entry) => {
      const next: StoredSignIn = { ...entry, tokens };
      if (tokens.expires_in !== undefined) next.expiresAt = Date.now() + tokens.expires_in * 1000;
      else delete next.expiresAt;
      return next;
    });
  }

  /** Shows the URL (or refuses, when no one can be shown it) and starts waiting for the redirect. */
  async redirectToAuthorization(url: URL): Promise<void> {
    const show = this.#options.onAuthorizationUrl;
    if (show === undefined) throw this.#signInRequired();
    const state = url.searchParams.get("state") ?? this.#state ?? "";
    const listener = this.#listener!;
    const wait = listener.waitForCode(state, this.#options.signInTimeoutMs ?? 300_000);
    this.#pending = wait;
    wait.catch(() => {}); // Observed by completeSignIn(); a sign-in nobody waits for must not go unhandled.
    log.info("Sign-in to {server} started for {principal}", {
      server: this.#options.server,
      principal: this.principal,
    });
    try {
      await show({
        server: this.#options.server,
        principal: this.principal,
        url,
        redirectUrl: listener.redirectUrl,
      });
    } catch (error) {
      // Nobody took the URL: the sign-in will not come back, and its state must not stay open on the listener.
      this.#pending = undefined;
      listener.cancel(state);
      throw error;
    }
  }

  /** Keeps the PKCE verifier in memory for the sign-in under way. */
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  /** The PKCE verifier of the sign-in under way. */
  codeVerifier(): string {
    if (this.#verifier === undefined) {
      throw new Error(
        `Cannot finish the sign-in to server "${this.#options.server}": none is under way`,
      );
    }
    return this.#verifier;
  }

  /** Forgets what the authorization server refused. */
  async invalidateCredentials(
    scope: "all" | "client" | "tokens" | "verifier" | "discovery",
  ): Promise<void> {
    if (scope === "verifier") this.#verifier = undefined;
    if (scope === "discovery" || scope === "all") this.#discovery = undefined;
    if (scope === "tokens" || scope === "all") {
      if (this.#entry?.tokens?.refresh_token !== undefined) this.#refused = true;
    }
    if (scope === "verifier" || scope === "discovery") return;
    await this.#update((entry) => {
      const next = { ...entry };
      if (scope === "tokens" || scope === "all") {
        delete next.tokens;
        delete next.expiresAt;
      }
      if (scope === "client" || scope === "all") delete next.client;
      return next;
    });
  }

  /** Keeps discovery results for this process. */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  /** Discovery results of this process, if any. */
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  /**
   * Re-reads the sign-in file, so that a sign-in made elsewhere (`deno task auth`) is seen.
   *
   * @returns Resolves once read.
   */
  async reload(): Promise<void> {
    this.#entry = await this.#options.store.get(this.#key(), this.#options.url);
    this.#loaded = true;
  }

  /**
   * Refreshes the access token when it expires within a minute (and a refresh token is stored).
   *
   * @returns Resolves once refreshed, or at once when nothing is due.
   * @throws {SignInRequiredError} When the refresh token was refused and no sign-in can happen here.
   */
  async refreshIfExpiring(): Promise<void> {
    if (!this.#loaded) await this.reload();
    const entry = this.#entry;
    if (entry?.tokens?.refresh_token === undefined || entry.expiresAt === undefined) return;
    const lifetimeMs = (entry.tokens.expires_in ?? Infinity) * 1000;
    if (entry.expiresAt - Date.now() > Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2)) return;
    this.#refreshing ??= (async () => {
      const serverUrl = this.#options.url;
      const result = await auth(this, { serverUrl, fetchFn: this.fetch });
      if (result === "REDIRECT") {
        const code = await this.completeSignIn(new UnauthorizedError());
        if (code !== undefined) {
          await auth(this, { serverUrl, authorizationCode: code, fetchFn: this.fetch });
        }
      }
    })().finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
  }

  /**
   * After a request failed with `UnauthorizedError`: waits for the sign-in this provider started, if it did.
   *
   * @param error What the request failed with.
   * @returns The authorization code to pass to the transport's `finishAuth`, or `undefined` when the error is not
   * a sign-in under way.
   * @throws {Error} When the sign-in fails (an error redirect, or no redirect in time).
   */
  async completeSignIn(error: unknown): Promise<string | undefined> {
    const pending = this.#pending;
    if (!(error instanceof UnauthorizedError) || pending === undefined) return undefined;
    this.#pending = undefined;
    const code = await pending;
    log.info("Sign-in to {server} came back", { server: this.#options.server });
    return code;
  }

  /**
   * Stops the loopback listener, if one runs.
   *
   * @returns Resolves once stopped.
   */
  async close(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    this.#pending = undefined;
    await listener?.close();
  }

  async #update(change: (entry: StoredSignIn) => StoredSignIn | undefined): Promise<void> {
    const { url, store } = this.#options;
    await store.update(this.#key(), url, change);
    await this.reload();
  }

  #key(): SignInKey {
    return { principal: this.principal, server: this.#options.server };
  }

  #signInRequired(): SignInRequiredError {
    return new SignInRequiredError(this.#options.server, this.#refused ? "expired" : "required", {
      principal: this.principal,
    });
  }
}
