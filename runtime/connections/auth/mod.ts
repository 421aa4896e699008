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
export {
  defaultTokenFile,
  type SignInKey,
  type SignInSummary,
  type StoredSignIn,
  TOKEN_FILE_ENV,
  TokenStore,
} from "./token_store.ts";
