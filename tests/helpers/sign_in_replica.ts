/**
 * One replica's side of the sign-in race in `tests/shared_sign_ins_test.ts`: opens the PostgreSQL state store
 * (`MCPX_STATE_URL`, key from `MCPX_STATE_KEY`), prints `ready`, waits for a byte on stdin, connects to the
 * protected server named by its argument (refreshing the stored sign-in if it is due) and prints the access token
 * it ends up with as JSON.
 *
 * @module
 */

import { SharedSignInStore } from "../../runtime/connections/auth/mod.ts";
import { ConnectionManager } from "../../runtime/connections/mod.ts";
import { PostgresStateStore, StateCipher } from "../../runtime/state/mod.ts";

const [serverUrl] = Deno.args;
await using state = await PostgresStateStore.open(Deno.env.get("MCPX_STATE_URL")!, {
  cipher: await StateCipher.load(),
});
const signInStore = new SharedSignInStore(state.signIns);
console.log("ready");
await Deno.stdin.read(new Uint8Array(1));
await using servers = new ConnectionManager(
  { servers: { s: { type: "http", url: serverUrl!, headers: {} } } },
  { signInStore },
);
const [status] = await servers.connectAll();
const stored = await signInStore.get("s", serverUrl!);
console.log(
  JSON.stringify({
    state: status?.state,
    error: status?.error,
    access: stored?.tokens?.access_token,
  }),
);
