/**
 * Finding the extra route that answers a path. Private to `runtime/daemon/`.
 *
 * @module
 */

import type { RouteHandler } from "./http_handler.ts";

/** The handler of a path: an exact key, else the longest key ending in `/` that the path starts with. */
export function findRoute(
  routes: Record<string, RouteHandler>,
  pathname: string,
): RouteHandler | undefined {
  if (Object.hasOwn(routes, pathname)) return routes[pathname];
  let best: string | undefined;
  for (const key of Object.keys(routes)) {
    if (
      key.endsWith("/") && pathname.startsWith(key) &&
      (best === undefined || key.length > best.length)
    ) {
      best = key;
    }
  }
  return best === undefined ? undefined : routes[best];
}
