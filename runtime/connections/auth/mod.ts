/**
 * OAuth 2.1 for remote servers: the SDK's client auth with the user's token file and a loopback redirect.
 *
 * @module
 */

export { LoopbackListener } from "./loopback_listener.ts";
export { SIGN_IN_COMMAND, SignInRequiredError } from "./sign_in_required_error.ts";
export {
  type AuthorizationUrlHandler,
  type AuthorizationUrlRequest,
  StoredOAuthProvider,
  type StoredOAuthProviderOptions,
} from "./stored_oauth_provider.ts";
export { SharedTokenStore } from "./shared_token_store.ts";
export type { SignInStore } from "./sign_in_store.ts";
export { type SignInSummary, summarizeSignIn } from "./sign_in_summary.ts";
export {
  defaultTokenFile,
  type SignInKey,
  type StoredSignIn,
  TOKEN_FILE_ENV,
  TokenStore,
} from "./token_store.ts";
