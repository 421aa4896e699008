/**
 * `KnownValues`: finds every value a vault holds in a text, in time linear in the text, while values keep being
 * added. Values are kept in Aho-Corasick automata in the logarithmic method (Bentley and Saxe): level `k` holds
 * `BLOCK * 2^k` values or none, and an add that fills a level merges it into the next, so each value is built into
 * an automaton `log n` times in all and a text is scanned once per non-empty level. The newest values (fewer than
 * `BLOCK`) are found with `indexOf`. No matcher is ever rebuilt from all values on one add.
 *
 * @module
 */

/** A known value found in a text: `[start, end)` in UTF-16 code units. */
export interface KnownMatch<T> {
  start: number;
  end: number;
  item: T;
}

/** How many of the newest values are matched with `indexOf` before they become an automaton. */
const BLOCK = 16;

/** `\w` of JavaScript regular expressions: ASCII letters, digits and `_`. */
function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

interface Entry<T> {
  value: string;
  item: T;
  /** The value starts with a word character: a match must not follow one. */
  wordStart: boolean;
  /** The value ends with a word character: a match must not be followed by one. */
  wordEnd: boolean;
}

function entryOf<T>(value: string, item: T): Entry<T> {
  return {
    value,
    item,
    wordStart: isWord(value.charCodeAt(0)),
    wordEnd: isWord(value.charCodeAt(value.length - 1)),
  };
}

/** Whether a match of `entry` at `[start, end)` stands on its own (the `(?<!\w)` and `(?!\w)` of a word). */
function bounded(text: string, start: number, end: number, entry: Entry<unknown>): boolean {
  return (!entry.wordStart || start === 0 || !isWord(text.charCodeAt(start - 1))) &&
    (!entry.wordEnd || end === text.length || !isWord(text.charCodeAt(end)));
}

/** An Aho-Corasick automaton over a fixed set of distinct values, in flat typed arrays. */
class Automaton<T> {
  readonly entries: Entry<T>[];
  // Edges of node n: edgeChar/edgeTo[edgeFirst[n] .. edgeFirst[n + 1]), sorted by character.
  #edgeFirst: Int32Array;
  #edgeChar: Uint16Array;
  #edgeTo: Int32Array;
  #fail: Int32Array;
  /** The entry ending exactly at a node, or -1. */
  #term: Int32Array;
  /** The nearest proper suffix node where an entry ends, or -1. */
  #dict: Int32Array;
  #depth: Int32Array;
  /** The root's edges for ASCII characters, looked up directly (the root is where most characters are read). */
  #rootAscii = new Int32Array(128).fill(-1);

  constructor(entries: Entry<T>[]) {
    this.entries = entries.slice().sort((a, b) =>
      a.value < b.value ? -1 : a.value > b.value ? 1 : 0
    );
    let chars = 0;
    for (const e of this.entries) chars += e.value.length;
    // The trie, built from the sorted values: a value shares the path of its common prefix with the one before.
    const parent = new Int32Array(chars + 1);
    const char = new Uint16Array(chars + 1);
    const term = new Int32Array(chars + 1).fill(-1);
    const depth = new Int32Array(chars + 1);
    const path: number[] = [0];
    let nodes = 1;
    let previous = "";
    this.entries.forEach((entry, index) => {
      const value = entry.value;
      let common = 0;
      while (common < value.length && value.charCodeAt(common) === previous.charCodeAt(common)) {
        common++;
      }
      path.length = common + 1;
      for (let i = common; i < value.length; i++) {
        const node = nodes++;
        parent[node] = path[i]!;
        char[node] = value.charCodeAt(i);
        depth[node] = i + 1;
        path.push(node);
      }
      term[path[value.length]!] = index;
      previous = value;
    });
    // Siblings were made in ascending character order: a stable counting sort by parent lays out each node's edges.
    const edgeFirst = new Int32Array(nodes + 1);
    for (let n = 1; n < nodes; n++) edgeFirst[parent[n]! + 1]!++;
    for (let n = 0; n < nodes; n++) edgeFirst[n + 1]! += edgeFirst[n]!;
    const fill = edgeFirst.slice(0, nodes);
    const edgeChar = new Uint16Array(Math.max(nodes - 1, 0));
    const edgeTo = new Int32Array(Math.max(nodes - 1, 0));
    for (let n = 1; n < nodes; n++) {
      const at = fill[parent[n]!]!++;
      edgeChar[at] = char[n]!;
      edgeTo[at] = n;
    }
    this.#edgeFirst = edgeFirst;
    this.#edgeChar = edgeChar;
    this.#edgeTo = edgeTo;
    this.#term = term.subarray(0, nodes);
    this.#depth = depth.subarray(0, nodes);
    this.#fail = new Int32Array(nodes);
    this.#dict = new Int32Array(nodes).fill(-1);
    for (let e = edgeFirst[0]!; e < edgeFirst[1]!; e++) {
      if (edgeChar[e]! < 128) this.#rootAscii[edgeChar[e]!] = edgeTo[e]!;
    }
    // Failure links, breadth first.
    const queue = new Int32Array(nodes);
    let head = 0, tail = 0;
    for (let e = edgeFirst[0]!; e < edgeFirst[1]!; e++) queue[tail++] = edgeTo[e]!;
    while (head < tail) {
      const u = queue[head++]!;
      for (let e = edgeFirst[u]!; e < edgeFirst[u + 1]!; e++) {
        const v = edgeTo[e]!;
        const c = edgeChar[e]!;
        let f = this.#fail[u]!;
        let next = this.#step(f, c);
        while (next < 0 && f !== 0) {
          f = this.#fail[f]!;
          next = this.#step(f, c);
        }
        const target = next < 0 ? 0 : next;
        this.#fail[v] = target;
        this.#dict[v] = this.#term[target]! >= 0 ? target : this.#dict[target]!;
        queue[tail++] = v;
      }
    }
  }

  /** The node reached from `node` by `c`, or -1. */
  #step(node: number, c: number): number {
    if (node === 0 && c < 128) return this.#rootAscii[c]!;
    let lo = this.#edgeFirst[node]!, hi = this.#edgeFirst[node + 1]! - 1;
    const chars = this.#edgeChar;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = chars[mid]!;
      if (m === c) return this.#edgeTo[mid]!;
      if (m < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Adds every bounded occurrence of every value in `text` to `out`. */
  find(text: string, out: KnownMatch<T>[]): void {
    const fail = this.#fail, term = this.#term, dict = this.#dict, depth = this.#depth;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let next = this.#step(s, c);
      while (next < 0 && s !== 0) {
        s = fail[s]!;
        next = this.#step(s, c);
      }
      s = next < 0 ? 0 : next;
      for (let o = term[s]! >= 0 ? s : dict[s]!; o >= 0; o = dict[o]!) {
        const entry = this.entries[term[o]!]!;
        const start = i + 1 - depth[o]!;
        if (bounded(text, start, i + 1, entry)) out.push({ start, end: i + 1, item: entry.item });
      }
    }
  }
}

/**
 * A growing set of distinct values, each with an item, found in texts as whole words where a value starts or ends
 * with a word character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KnownValues } from "./_known_values.ts";
 * const known = new KnownValues<string>();
 * known.add("Ann Lee", "[NAME_1]");
 * known.add("Ann", "[NAME_2]");
 * assert.deepEqual(known.find("Ann Lee met Ann, not Annie"), [
 *   { start: 0, end: 7, item: "[NAME_1]" },
 *   { start: 12, end: 15, item: "[NAME_2]" },
 * ]);
 * ```
 */
export class KnownValues<T> {
  #recent: Entry<T>[] = [];
  #levels: (Automaton<T> | undefined)[] = [];
  #size = 0;

  /** How many values are held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds a value (the caller adds each value once; an empty one is ignored).
   *
   * @param value The value to find.
   * @param item What a match of it carries.
   */
  add(value: string, item: T): void {
    if (value === "") return;
    this.#size++;
    this.#recent.push(entryOf(value, item));
    if (this.#recent.length < BLOCK) return;
    let carry = this.#recent;
    this.#recent = [];
    let k = 0;
    for (; this.#levels[k] !== undefined; k++) {
      carry = carry.concat(this.#levels[k]!.entries);
      this.#levels[k] = undefined;
    }
    this.#levels[k] = new Automaton(carry);
  }

  /**
   * The values in a text, leftmost first and the longest where several start at one place, not overlapping.
   *
   * @param text Any text.
   * @returns The matches, sorted by start.
   */
  find(text: string): KnownMatch<T>[] {
    if (this.#size === 0 || text === "") return [];
    const all: KnownMatch<T>[] = [];
    for (const level of this.#levels) level?.find(text, all);
    for (const entry of this.#recent) {
      for (let at = text.indexOf(entry.value); at >= 0; at = text.indexOf(entry.value, at + 1)) {
        const end = at + entry.value.length;
        if (bounded(text, at, end, entry)) all.push({ start: at, end, item: entry.item });
      }
    }
    if (all.length < 2) return all;
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: KnownMatch<T>[] = [];
    let end = 0;
    for (const match of all) {
      if (match.start >= end) {
        kept.push(match);
        end = match.end;
      }
    }
    return kept;
  }

  /** Forgets every value. */
  clear(): void {
    this.#recent = [];
    this.#levels = [];
    this.#size = 0;
  }
}
