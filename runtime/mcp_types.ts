/**
 * The MCP message shapes the public API names, written out here so the package's documentation is complete without
 * the SDK's generated types. Each is assignable to and from the SDK type of the same name
 * (`@modelcontextprotocol/sdk/types.js`), which `mcp_types_test.ts` checks; the index signatures carry the fields
 * this package does not read (`_meta`, `icons`, `task`...).
 *
 * @module
 */

/**
 * A tool as an MCP server lists it in `tools/list`.
 *
 * @example Render the signature agent code calls
 * ```ts
 * import { renderToolSignature, type Tool } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const tool: Tool = {
 *   name: "read_file",
 *   description: "Read a file",
 *   inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
 * };
 * assert.match(renderToolSignature("filesystem", tool), /function readFile\(input: ReadFileInput\)/);
 * ```
 */
export interface Tool {
  /** The tool's name on its server. */
  name: string;
  /** A display name. */
  title?: string;
  /** What the tool does, for the model. */
  description?: string;
  /** The JSON Schema of the arguments (always an object). */
  inputSchema: {
    type: "object";
    properties?: Record<string, object>;
    required?: string[];
    [key: string]: unknown;
  };
  /** The JSON Schema of `structuredContent`, if the tool declares one. */
  outputSchema?: {
    type: "object";
    properties?: Record<string, object>;
    required?: string[];
    [key: string]: unknown;
  };
  /** Hints about the tool's behaviour; untrusted, as the server says. */
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
  /** Other fields of the definition. */
  [key: string]: unknown;
}

/**
 * The result of `tools/call`: content blocks, optional structured content, and `isError` when the tool failed.
 *
 * @example Read the text of a result
 * ```ts
 * import type { CallToolResult } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const result: CallToolResult = { content: [{ type: "text", text: "3 entities" }] };
 * const first = result.content[0];
 * assert.equal(first?.type === "text" ? first.text : undefined, "3 entities");
 * assert.ok(!result.isError);
 * ```
 */
export interface CallToolResult {
  /** The content blocks: text, image, audio, a resource link or an embedded resource. */
  content: (
    | { type: "text"; text: string; [key: string]: unknown }
    | { type: "image" | "audio"; data: string; mimeType: string; [key: string]: unknown }
    | { type: "resource_link"; uri: string; name: string; [key: string]: unknown }
    | {
      type: "resource";
      resource:
        | { uri: string; mimeType?: string; text: string; [key: string]: unknown }
        | { uri: string; mimeType?: string; blob: string; [key: string]: unknown };
      [key: string]: unknown;
    }
  )[];
  /** The result as JSON, when the tool declares an output schema. */
  structuredContent?: Record<string, unknown>;
  /** Whether the tool reported an error. */
  isError?: boolean;
  /** Other fields of the result. */
  [key: string]: unknown;
}

/**
 * A JSON-RPC request id.
 *
 * @example
 * ```ts
 * import type { RequestId } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const ids: RequestId[] = [1, "call-2"];
 * assert.deepEqual(ids.map((id) => typeof id), ["number", "string"]);
 * ```
 */
export type RequestId = string | number;

/**
 * A client's answer to `elicitation/create`.
 *
 * @example Check whether the user approved
 * ```ts
 * import type { ElicitResult } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const answer: ElicitResult = { action: "accept", content: { approve: true } };
 * assert.ok(answer.action === "accept" && answer.content?.approve === true);
 * ```
 */
export interface ElicitResult {
  /** `"accept"` with `content`, or `"decline"` / `"cancel"`. */
  action: "accept" | "decline" | "cancel";
  /** The form's values, when accepted. */
  content?: Record<string, string | number | boolean | string[]>;
  /** Other fields of the result. */
  [key: string]: unknown;
}

/**
 * The parameters of a form-mode `elicitation/create` request: a message and a flat form of primitive fields.
 *
 * @example
 * ```ts
 * import { approvalForm, type ElicitRequestFormParams } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const form: ElicitRequestFormParams = approvalForm({ server: "memory", tool: "read_graph", args: {},
 *   taskId: "t1", rule: "*", signal: new AbortController().signal });
 * assert.equal(form.requestedSchema.properties.approve?.type, "boolean");
 * ```
 */
export interface ElicitRequestFormParams {
  /** Form mode (the default when absent). */
  mode?: "form";
  /** The question shown to the user. */
  message: string;
  /** The form: an object schema whose properties are booleans, strings, numbers or enums. */
  requestedSchema: {
    type: "object";
    properties: Record<
      string,
      | { type: "boolean"; title?: string; description?: string; default?: boolean }
      | {
        type: "string";
        title?: string;
        description?: string;
        minLength?: number;
        maxLength?: number;
        format?: "email" | "uri" | "date" | "date-time";
        default?: string;
      }
      | {
        type: "number" | "integer";
        title?: string;
        description?: string;
        minimum?: number;
        maximum?: number;
        default?: number;
      }
      | {
        type: "string";
        title?: string;
        description?: string;
        enum: string[];
        enumNames?: string[];
        default?: string;
      }
      | {
        type: "string";
        title?: string;
        description?: string;
        oneOf: { const: string; title: string }[];
        default?: string;
      }
      | {
        type: "array";
        title?: string;
        description?: string;
        minItems?: number;
        maxItems?: number;
        items: { type: "string"; enum: string[] };
        default?: string[];
      }
      | {
        type: "array";
        title?: string;
        description?: string;
        minItems?: number;
        maxItems?: number;
        items: { anyOf: { const: string; title: string }[] };
        default?: string[];
      }
    >;
    required?: string[];
  };
  /** Other fields of the parameters. */
  [key: string]: unknown;
}

/**
 * The parameters of `elicitation/create`: a form, or (URL mode) a link the user opens.
 *
 * @example Tell the two modes apart
 * ```ts
 * import type { ElicitRequestParams } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const params: ElicitRequestParams = { mode: "url", message: "Sign in", elicitationId: "e1",
 *   url: "https://example.com/login" };
 * assert.equal(params.mode === "url" ? params.url : undefined, "https://example.com/login");
 * ```
 */
export type ElicitRequestParams =
  | ElicitRequestFormParams
  | {
    mode: "url";
    message: string;
    elicitationId: string;
    url: string;
    [key: string]: unknown;
  };

/**
 * OAuth tokens as an authorization server issues them (RFC 6749).
 *
 * @example
 * ```ts
 * import type { OAuthTokens, StoredSignIn } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const tokens: OAuthTokens = { access_token: "at", token_type: "Bearer", refresh_token: "rt" };
 * const entry: StoredSignIn = { url: "https://mcp.example.com/mcp", tokens };
 * assert.equal(entry.tokens?.refresh_token, "rt");
 * ```
 */
export interface OAuthTokens {
  /** The access token. */
  access_token: string;
  /** The OpenID Connect ID token, if any. */
  id_token?: string;
  /** The token type, usually `"Bearer"`. */
  token_type: string;
  /** Seconds until the access token expires. */
  expires_in?: number;
  /** The granted scopes, space separated. */
  scope?: string;
  /** The refresh token, if any. */
  refresh_token?: string;
  /** The authorization server the tokens came from. */
  issuer?: string;
  /** Other fields. */
  [key: string]: unknown;
}

/**
 * An OAuth client registration (RFC 7591): the client ID and, for a confidential client, its secret.
 *
 * @example
 * ```ts
 * import type { OAuthClientInformation, StoredSignIn } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const client: OAuthClientInformation = { client_id: "abc", issuer: "https://auth.example.com" };
 * const entry: StoredSignIn = { url: "https://mcp.example.com/mcp", client };
 * assert.equal(entry.client?.client_id, "abc");
 * ```
 */
export interface OAuthClientInformation {
  /** The client ID. */
  client_id: string;
  /** The client secret, for a confidential client. */
  client_secret?: string;
  /** When the client ID was issued, in seconds since the epoch. */
  client_id_issued_at?: number;
  /** When the secret expires, in seconds since the epoch (0: never). */
  client_secret_expires_at?: number;
  /** The authorization server the registration came from. */
  issuer?: string;
  /** Other fields of the registration (redirect URIs, client name...). */
  [key: string]: unknown;
}

/**
 * The part of the SDK's low-level `Server` that {@linkcode elicitationApprover} uses: the connected client's
 * capabilities and `elicitation/create`. `McpServer.server` is one.
 *
 * @example A stand-in client that approves everything
 * ```ts
 * import { elicitationApprover, type ElicitingServer } from "@mcp-executor/runtime";
 * import assert from "node:assert/strict";
 *
 * const server: ElicitingServer = {
 *   getClientCapabilities: () => ({ elicitation: { form: {} } }),
 *   elicitInput: () => Promise.resolve({ action: "accept", content: { approve: true } }),
 * };
 * const answer = await elicitationApprover(server)({ server: "memory", tool: "delete_entities", args: {},
 *   taskId: "t1", rule: "*", signal: new AbortController().signal });
 * assert.equal(answer, true);
 * ```
 */
export interface ElicitingServer {
  /**
   * The capabilities the client declared in `initialize`.
   *
   * @returns Them, or `undefined` before initialization.
   */
  getClientCapabilities(): { elicitation?: { form?: object } } | undefined;
  /**
   * Sends `elicitation/create` to the client.
   *
   * @param params The form.
   * @param options The deadline, an abort signal and the request the question belongs to.
   * @returns The client's answer.
   */
  elicitInput(
    params: ElicitRequestFormParams,
    options?: { timeout?: number; signal?: AbortSignal; relatedRequestId?: RequestId },
  ): Promise<ElicitResult>;
}
