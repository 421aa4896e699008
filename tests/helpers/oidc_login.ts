/**
 * A person signing in at an authorization server's own pages, without a browser: follows the authorization URL's
 * redirects with a cookie jar, fills each form (the login form with the given account, the consent form as it
 * stands) and stops at the redirect back to the client. Made for `oidc-provider`'s development login pages, which
 * accept any password.
 *
 * @module
 */

/**
 * Signs in as `account` and consents, starting from an authorization URL.
 *
 * @param authorizationUrl The URL a client would open in a browser.
 * @param account The login to type.
 * @param redirectPrefix The client's redirect URI (or its start): the walk stops at a redirect there.
 * @returns The redirect URL the client receives, with `code` and `state`.
 * @throws {Error} When a page is neither a redirect nor a form, or after 20 steps.
 */
export async function signInAs(
  authorizationUrl: string | URL,
  account: string,
  redirectPrefix: string,
): Promise<URL> {
  const jar = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(";")[0]!;
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  };
  let url = new URL(authorizationUrl).href;
  let response = await go(url);
  for (let step = 0; step < 20; step++) {
    const location = response.headers.get("location");
    if (location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      if (url.startsWith(redirectPrefix)) return new URL(url);
      response = await go(url);
      continue;
    }
    const html = await response.text();
    const form = /<form[\s\S]*?<\/form>/.exec(html)?.[0];
    const action = form === undefined ? undefined : /action="([^"]+)"/.exec(form)?.[1];
    if (form === undefined || action === undefined) {
      throw new Error(`Cannot sign in: ${url} answered ${response.status} with no form`);
    }
    const body = new URLSearchParams();
    for (const input of form.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
      const name = input[1]!;
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? "";
      body.set(name, name === "login" ? account : name === "password" ? "any" : value);
    }
    url = new URL(action, url).href;
    response = await go(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }
  throw new Error(`Cannot sign in: no redirect to ${redirectPrefix} after 20 steps`);
}
