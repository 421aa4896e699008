/**
 * Privacy: personal data and secrets in tool results are replaced by placeholders (`[EMAIL_1]`) on the host before they
 * enter the sandbox, and restored in the arguments of later tool calls as the data-flow rules allow.
 *
 * @module
 */

export {
  BUILTIN_KINDS,
  type BuiltinKind,
  DEFAULT_PII_TTL_MS,
  parsePiiOptions,
  type PiiFieldRule,
  type PiiFlowRule,
  type PiiOptions,
  piiOptionsSchema,
  type PiiPattern,
} from "./pii_options.ts";
export { describePiiKind } from "./describe_kind.ts";
export { PiiDetector } from "./pii_detector.ts";
export { PrivacyVault, type VaultEntry, type VaultRecord } from "./privacy_vault.ts";
export { PrivacyVaults } from "./privacy_vaults.ts";
export type { VaultStore } from "./vault_store.ts";
export { type PrivacyPolicy, TaskPrivacy } from "./task_privacy.ts";
export { resolveSpans, type Span } from "./resolve_spans.ts";
export { type JsonPath, matchesJsonPath, parseJsonPath, type PathStep } from "./json_path.ts";
export { checkFlow, type FlowViolation } from "./flow_rules.ts";
export { placeholderPattern, restoreArgs, type RestoreContext } from "./restore_args.ts";
export {
  MAX_DEPTH,
  type PlaceholderContext,
  textWithPlaceholders,
  valueWithPlaceholders,
} from "./with_placeholders.ts";
