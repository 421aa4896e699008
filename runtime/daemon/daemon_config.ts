/**
 * The daemon's own config file, `mcp-executor.json` beside `mcp.json` (which stays exactly the format Claude
 * Desktop, Claude Code and Cursor read). Each feature owns one top-level section; a new feature adds a key to
 * {@linkcode daemonConfigShape}. Unknown keys are refused, so a typo is reported instead of ignored. A renamed key
 * is read under its old name for one release, with a warning naming the new one ({@linkcode RENAMED_KEYS}).
 *
 * ```json
 * {
 *   "sessions": { "quotaMb": 100, "idleTimeoutMs": 1800000, "persist": false },
 *   "http": { "host": "127.0.0.1", "port": 8787, "allowedOrigins": [], "allowedHosts": [],
 *             "bearerTokenEnv": "MCPX_TOKEN", "bearerTokenFile": "/etc/mcp-executor/tokens",
 *             "publicUrl": "https://mcp.example.com" },
 *   "auth": { "issuer": "https://login.example.com" },
 *   "pii": { "enabled": true, "flows": [{ "from": "crm", "to": ["crm", "mailer"] }] },
 *   "approvals": { "approver": "operator", "maxPending": 100, "rules": { "memory.delete_entities": "ask" } }
 * }
 * ```
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { ConfigError, readJsonFile } from "../config.ts";
import { logger } from "../log.ts";
import {
  type ApprovalRules,
  approvalsConfigSchema,
  approvalTimeoutMsSchema,
} from "../approvals/mod.ts";
import { DEFAULT_MAX_PENDING_APPROVALS } from "./operator_approvals.ts";
import { auditConfigSchema } from "./audit_log.ts";
import { piiOptionsSchema } from "../privacy/mod.ts";
import { parseOrigin } from "./state_url.ts";

const log = logger("config");

/** The file name looked for beside `mcp.json`. */
export const DAEMON_CONFIG_FILE = "mcp-executor.json";

/** Defaults of the daemon's settings. */
export const DAEMON_DEFAULTS = {
  quotaMb: 100,
  idleTimeoutMs: 30 * 60_000,
  host: "127.0.0.1",
  port: 8787,
  bearerTokenEnv: "MCPX_TOKEN",
  maxSessionsPerPrincipal: 16,
  maxSessions: 256,
  principalClaim: "sub",
  introspectionSecretEnv: "MCPX_INTROSPECTION_SECRET",
} as const;

const sessionsSection = z.strictObject({
  /** The most a session's folder may hold, in MB; measured after each task. */
  quotaMb: z.number().positive().max(1_000_000).optional(),
  /** An HTTP session with no request for this long is closed, in milliseconds. */
  idleTimeoutMs: z.number().int().min(1_000).optional(),
  /** Keep session folders when sessions end (needs `dir`). */
  persist: z.boolean().optional(),
  /** Where session folders live; relative to the config file. Default: a temporary folder. */
  dir: z.string().min(1).optional(),
  /** The most HTTP sessions one principal may hold open. Default 16. */
  maxPerPrincipal: z.number().int().min(1).optional(),
  /** The most HTTP sessions open in all. Default 256. */
  max: z.number().int().min(1).optional(),
  /** Tasks of one session that may wait for a place; one more fails with `queue_full`. Default 64. */
  maxQueuedTasks: z.number().int().min(1).optional(),
});

const stateSection = z.strictObject({
  /** The shared state store, `postgres://...`; `MCPX_STATE_URL` gives it too. Needs `sessions.dir`. */
  url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'expected a "postgres://" URL').optional(),
  /**
   * The file holding the key (base64 of 32 bytes) that encrypts sign-ins and PII vaults in the store;
   * `MCPX_STATE_KEY` gives the key itself. Never kept in the database.
   */
  keyFile: z.string().min(1).optional(),
  /** This replica's id in session leases and logs; `MCPX_REPLICA_ID` wins. Default `<hostname>-<pid>`. */
  replicaId: z.string().regex(/^[\w.:-]{1,64}$/, "expected 1 to 64 letters, digits, . _ : -")
    .optional(),
  /** How long a replica's session lease runs without a heartbeat (renewed every third). Default 1500. */
  leaseMs: z.number().int().min(300).optional(),
  /**
   * Where this replica answers HTTP for the others, an origin such as `http://10.0.0.5:8787`: a request for a
   * session held here that reaches another replica is forwarded to it. `MCPX_ADVERTISE_URL` wins. Default: the
   * address the listener binds (this machine's name for `0.0.0.0`).
   */
  advertiseUrl: z.string().refine((value) => parseOrigin(value) !== undefined, {
    message: 'expected an origin such as "http://10.0.0.5:8787" (http or https, no path)',
  }).optional(),
  /** How long a forwarded request waits for the owner's response headers, in ms. Default 5000. */
  forwardTimeoutMs: z.number().int().min(1).max(600_000).optional(),
});

const httpSection = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  /** Origins (`scheme://host:port`) browsers may call from, besides the loopback ones of the bound port. */
  allowedOrigins: z.array(z.string().min(1)).optional(),
  /** `Host` header values accepted, besides the loopback names with the bound port. */
  allowedHosts: z.array(z.string().min(1)).optional(),
  /** The environment variable holding the bearer token. Default `MCPX_TOKEN`. */
  bearerTokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** A file of bearer tokens, `<principal> <token> [scope,scope,...]` a line; relative to the config file. */
  bearerTokenFile: z.string().min(1).optional(),
  /**
   * The URL clients reach the daemon at, without the `/mcp` path, e.g. `https://mcp.example.com`: the canonical
   * resource URL is this plus `/mcp`. Default `http://<host>:<port>`.
   */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
});

const authSection = z.strictObject({
  /** The authorization server whose access tokens are accepted (its `iss`). */
  issuer: z.url({ protocol: /^https?$/ }),
  /** Its JWKS URL. Default: `jwks_uri` of its RFC 8414 or OpenID Connect metadata. */
  jwksUri: z.url({ protocol: /^https?$/ }).optional(),
  /** The `aud` tokens must name. Default `http.publicUrl` + `/mcp`. */
  audience: z.string().min(1).optional(),
  /** The claim naming the principal (`<iss>#<claim>`). Default `sub`. */
  principalClaim: z.string().min(1).optional(),
  /** The accepted JWT signing algorithms. Default RS256, PS256, ES256, EdDSA. */
  algorithms: z.array(z.enum([
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
  ])).min(1).optional(),
  /** Scopes every token must hold, besides what each request needs. Default none. */
  requiredScopes: z.array(z.string().min(1)).optional(),
  /** An RFC 7662 introspection endpoint for opaque (non-JWT) access tokens. */
  introspectionUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The client id the daemon introspects as (HTTP Basic). */
  introspectionClientId: z.string().min(1).optional(),
  /** The environment variable holding that client's secret. Default `MCPX_INTROSPECTION_SECRET`. */
  introspectionSecretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
});

const searchSection = z.strictObject({
  /**
   * An embedding blended into `search_tools`: `"universal-sentence-encoder"` (offline, in process) or `"none"`.
   * Default `"none"`: BM25 with lexical knowledge.
   */
  embed: z.enum(["none", "universal-sentence-encoder"]).optional(),
});

/**
 * The `approvals` section: either the rules map alone (`{ "memory": "ask" }`, the client approves), or an object
 * `{ "rules": {...}, "approver": "client" | "operator", "maxPending": 100 }`.
 */
const approvalsSection = z.union([
  z.strictObject({
    /** The rules: `"*"`, a server or `"server.tool"` to `"allow"`, `"ask"` or `"deny"`. */
    rules: approvalsConfigSchema.optional(),
    /** Who answers: the session's MCP client (`"client"`, default) or people with `mcpx:approve`. */
    approver: z.enum(["client", "operator"]).optional(),
    /** How many approvals may wait for an operator at once. Default 100. */
    maxPending: z.number().int().min(1).max(100_000).optional(),
  }),
  approvalsConfigSchema,
]);

/** The `approvals` section of `mcp-executor.json` in its one normalized form, with defaults applied. */
export interface ApprovalsSettings {
  /** The rules (none: only the defaults from tool annotations). */
  rules?: ApprovalRules;
  /** Who answers. Default `"client"`. */
  approver: "client" | "operator";
  /** How many approvals may wait for an operator at once. Default 100. */
  maxPending: number;
}

/**
 * Reads the `approvals` section in either form.
 *
 * @param config The daemon config.
 * @returns The rules, the approver and the bound on pending approvals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { approvalsSettings, parseDaemonConfig } from "./daemon_config.ts";
 * assert.deepEqual(approvalsSettings(parseDaemonConfig({ approvals: { memory: "ask" } })),
 *   { rules: { memory: "ask" }, approver: "client", maxPending: 100 });
 * assert.deepEqual(approvalsSettings(parseDaemonConfig({ approvals: { approver: "operator", rules: { "*": "ask" } } })),
 *   { rules: { "*": "ask" }, approver: "operator", maxPending: 100 });
 * assert.throws(() => parseDaemonConfig({ approvals: { approver: "robot" } }), /approvals/);
 * ```
 */
export function approvalsSettings(config: DaemonConfig): ApprovalsSettings {
  const section = config.approvals;
  const objectForm = section !== undefined &&
    ("rules" in section || "approver" in section || "maxPending" in section) &&
    !Object.values(section).every((v) =>
      typeof v === "string" && ["allow", "ask", "deny"].includes(v)
    );
  const rules = objectForm
    ? (section as { rules?: ApprovalRules }).rules
    : section as ApprovalRules | undefined;
  const more = objectForm
    ? section as { approver?: "client" | "operator"; maxPending?: number }
    : {};
  return {
    ...(rules === undefined ? {} : { rules }),
    approver: more.approver ?? "client",
    maxPending: more.maxPending ?? DEFAULT_MAX_PENDING_APPROVALS,
  };
}

/** The sections of `mcp-executor.json`: add a key here for a new feature's section. */
export const daemonConfigShape = {
  sessions: sessionsSection.optional(),
  http: httpSection.optional(),
  /** OAuth 2.1 resource server: access tokens of `issuer` are accepted besides the static tokens. */
  auth: authSection.optional(),
  /**
   * Approval rules (`"*"`, a server or `"server.tool"` to `"allow"`, `"ask"` or `"deny"`), or
   * `{ rules, approver, maxPending }`; read it with {@linkcode approvalsSettings}.
   */
  approvals: approvalsSection.optional(),
  /** How long a person has to answer an approval question, in milliseconds. */
  approvalTimeoutMs: approvalTimeoutMsSchema.optional(),
  /** The audit trail: `{ file, maxBytes?, keep? }`; `file` is relative to the config file. */
  audit: auditConfigSchema.optional(),
  /** Personal data replaced by placeholders before it enters the sandbox: the same schema as `MCPOrchestrator({ pii })`. */
  pii: piiOptionsSchema.optional(),
  /** Tool search: `{ embed }`. */
  search: searchSection.optional(),
  /** Where the daemon's state lives: `{ url }` of PostgreSQL, shared by replicas; default files. */
  state: stateSection.optional(),
  /** Type-check agent code before it runs: `"off"`, `"warn"` (the daemon's default) or `"error"`. */
  typecheck: z.enum(["off", "warn", "error"]).optional(),
  /** Infer output types of tools that declare none from their results. Default `true`. */
  inferOutputTypes: z.boolean().optional(),
};

/** The zod schema of `mcp-executor.json`. */
export const daemonConfigSchema = z.strictObject(daemonConfigShape);

/** A parsed `mcp-executor.json`. */
export type DaemonConfig = z.infer<typeof daemonConfigSchema> & {
  /** The file it came from, when it came from one; relative paths in it resolve against its folder. */
  path?: string;
};

/**
 * Keys renamed so that each kind of token has one name (bearer tokens of the daemon, sign-ins to upstream servers,
 * PII placeholders, LLM tokens): `[section, old key, new key]`. The old key is read for one release.
 */
export const RENAMED_KEYS: readonly (readonly [string, string, string])[] = [
  ["http", "tokenEnv", "bearerTokenEnv"],
  ["http", "tokenFile", "bearerTokenFile"],
];

/**
 * Moves renamed keys to their new names.
 *
 * @param data The parsed JSON.
 * @param source Where it came from, for messages.
 * @returns The data with new names, and one warning a renamed key that was used.
 * @throws {ConfigError} `"invalid_config"` when a key is given under both names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renameKeys } from "./daemon_config.ts";
 * const { data, warnings } = renameKeys({ http: { tokenFile: "tokens.txt" } }, "mcp-executor.json");
 * assert.deepEqual(data, { http: { bearerTokenFile: "tokens.txt" } });
 * assert.match(warnings[0]!, /"http\.tokenFile" is deprecated: rename it to "http\.bearerTokenFile"/);
 * ```
 */
export function renameKeys(data: unknown, source: string): { data: unknown; warnings: string[] } {
  const warnings: string[] = [];
  if (!isRecord(data)) return { data, warnings };
  const out: Record<string, unknown> = { ...data };
  for (const [section, old, renamed] of RENAMED_KEYS) {
    const part = out[section];
    if (!isRecord(part) || !(old in part)) continue;
    if (renamed in part) {
      throw new ConfigError(
        `Invalid ${source}: "${section}.${old}" and "${section}.${renamed}" are the same setting: keep "${section}.${renamed}"`,
        "invalid_config",
      );
    }
    const { [old]: value, ...rest } = part;
    out[section] = { ...rest, [renamed]: value };
    warnings.push(
      `In ${source}, "${section}.${old}" is deprecated: rename it to "${section}.${renamed}" (the old name is read until the next release)`,
    );
  }
  return { data: out, warnings };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a daemon config object.
 *
 * @param data The parsed JSON.
 * @param source Where it came from, for messages.
 * @returns The config.
 * @throws {ConfigError} `"invalid_config"`, naming the field and what was wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDaemonConfig } from "./daemon_config.ts";
 * assert.equal(parseDaemonConfig({ sessions: { quotaMb: 5 } }).sessions?.quotaMb, 5);
 * assert.throws(() => parseDaemonConfig({ sessions: { quotaMb: "5" } }), /sessions\.quotaMb/);
 * ```
 */
export function parseDaemonConfig(data: unknown, source = DAEMON_CONFIG_FILE): DaemonConfig {
  const renamed = renameKeys(data, source);
  for (const warning of renamed.warnings) log.warn(warning);
  const result = daemonConfigSchema.safeParse(renamed.data);
  if (!result.success) {
    let issue = result.error.issues[0]!;
    // Of a union (the two forms of "approvals"), report the branch that got furthest.
    if (issue.code === "invalid_union" && "errors" in issue && Array.isArray(issue.errors)) {
      const branches = (issue.errors as (typeof issue)[][]).map((b) => b[0]).filter((b) =>
        b !== undefined
      );
      const best = branches.sort((a, b) => b.path.length - a.path.length)[0];
      if (best !== undefined) {
        issue = { ...best, path: [...issue.path, ...best.path] } as typeof issue;
      }
    }
    const field = issue.path.map(String).join(".");
    const keys = "keys" in issue && Array.isArray(issue.keys) ? `: ${issue.keys.join(", ")}` : "";
    throw new ConfigError(
      `Invalid ${source}: ${field === "" ? "top level" : `"${field}"`}: ${issue.message}${keys}`,
      "invalid_config",
    );
  }
  return result.data;
}

/**
 * Loads `mcp-executor.json`.
 *
 * @param path The file's path.
 * @param options `optional`: a missing file gives an empty config instead of an error.
 * @returns The config, with `path` set to the file's absolute path.
 * @throws {ConfigError} `"unreadable"`, `"invalid_json"` or `"invalid_config"`, naming the file and field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDaemonConfig } from "./daemon_config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/mcp-executor.json`, '{"sessions":{"quotaMb":10}}');
 * assert.equal((await loadDaemonConfig(`${dir}/mcp-executor.json`)).sessions?.quotaMb, 10);
 * assert.deepEqual(await loadDaemonConfig(`${dir}/missing.json`, { optional: true }), {});
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDaemonConfig(
  path: string,
  options: { optional?: boolean } = {},
): Promise<DaemonConfig> {
  const full = resolve(path);
  const data = await readJsonFile(full, basename(full), options);
  if (data === undefined) return {};
  return { ...parseDaemonConfig(data, full), path: full };
}

/**
 * The default place of `mcp-executor.json`: beside the `mcp.json` given.
 *
 * @param mcpConfigPath The path of `mcp.json`.
 * @returns The path of `mcp-executor.json` in the same folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultDaemonConfigPath } from "./daemon_config.ts";
 * assert.equal(defaultDaemonConfigPath("/srv/app/mcp.json"), "/srv/app/mcp-executor.json");
 * ```
 */
export function defaultDaemonConfigPath(mcpConfigPath: string): string {
  return join(dirname(resolve(mcpConfigPath)), DAEMON_CONFIG_FILE);
}

/**
 * Resolves a path of the daemon config against the config file's folder.
 *
 * @param config The daemon config.
 * @param path A path from it.
 * @returns The absolute path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfigPath } from "./daemon_config.ts";
 * assert.equal(resolveConfigPath({ path: "/srv/app/mcp-executor.json" }, "tokens.txt"), "/srv/app/tokens.txt");
 * ```
 */
export function resolveConfigPath(config: DaemonConfig, path: string): string {
  return config.path === undefined ? resolve(path) : resolve(dirname(config.path), path);
}
