/**
 * OAuth 2.1 for remote servers: the SDK's client auth with the user's sign-in file and a loopback redirect.
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
export { SharedSignInStore } from "./shared_sign_in_store.ts";
export type { SignInStore } from "./sign_in_store.ts";
export { type SignInSummary, summarizeSignIn } from "./sign_in_summary.ts";
export {
  defaultSignInFile,
  defaultTokenFile,
  FileSignInStore,
  SIGN_IN_FILE_ENV,
  type SignInKey,
  type StoredSignIn,
  TOKEN_FILE_ENV,
  TokenStore,
} from "./file_sign_in_store.ts";
