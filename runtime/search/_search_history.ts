/**
 * The last searches of each session, held until a task of that session finishes and says which tools it called.
 *
 * @module
 */

import { LruCache } from "../lru_cache.ts";

/** One search as remembered: its learnable terms and the tools it returned. */
interface PastSearch {
  terms: string[];
  hits: string[];
  at: number;
}

/** Searches kept per session. */
const MAX_SEARCHES = 5;
/** Sessions kept; the least recently active go first. */
const MAX_SESSIONS = 1_000;
/** A search older than this is not attributed to a task. */
const WINDOW_MS = 15 * 60 * 1000;

/** What to learn: these terms led to these tools. */
export interface Attribution {
  terms: string[];
  tools: string[];
}

/**
 * Recent searches per session (bounded), and the rule that turns them into attributions when a task finishes:
 * a search whose hits include some of the tools called is attributed to those; a search that found none of them
 * (the agent's first wording, before it rephrased) is attributed to the called tools that a later search found.
 */
export class SearchHistory {
  #sessions = new LruCache<string, PastSearch[]>(MAX_SESSIONS);
  #now: () => number;

  /**
   * @param now The clock in milliseconds.
   */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Remembers a search.
   *
   * @param session The session's id ("" for none).
   * @param terms The query's learnable terms.
   * @param hits The `server.tool` names returned.
   */
  add(session: string, terms: string[], hits: string[]): void {
    if (terms.length === 0) return;
    const searches = this.#sessions.get(session) ?? [];
    searches.push({ terms, hits, at: this.#now() });
    if (searches.length > MAX_SEARCHES) searches.shift();
    this.#sessions.set(session, searches);
  }

  /**
   * Turns a session's recent searches into attributions for the tools a task called, and forgets them.
   *
   * @param session The session's id ("" for none).
   * @param called The `server.tool` names the task called.
   * @returns What to learn; empty when the task called nothing or no search preceded it.
   */
  attribute(session: string, called: readonly string[]): Attribution[] {
    const searches = this.#sessions.get(session);
    if (searches === undefined || called.length === 0) return [];
    this.#sessions.delete(session);
    const calledSet = new Set(called);
    const recent = searches.filter((s) => this.#now() - s.at <= WINDOW_MS);
    const out: Attribution[] = [];
    recent.forEach((search, i) => {
      let tools = search.hits.filter((hit) => calledSet.has(hit));
      if (tools.length === 0) {
        const later = new Set(recent.slice(i + 1).flatMap((s) => s.hits));
        tools = [...calledSet].filter((tool) => later.has(tool));
      }
      if (tools.length > 0) out.push({ terms: search.terms, tools });
    });
    return out;
  }
}
