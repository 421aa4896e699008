/**
 * Where a principal's private skills live: `principal-skills/<encoded id>/<name>/`, a folder of its own beside the
 * shared skills in `skills/<name>/` (so that a sandbox allowed to read `skills/` reads no one's private skills).
 *
 * Principal ids come from token files and OAuth issuers and may hold `:`, `/`, `#`, `.`, capitals and any other
 * printable character. A folder name keeps lowercase ASCII letters, digits, `_` and `-` as they are and writes every
 * other UTF-8 byte as `%` and two lowercase hex digits (`https://id.example#Ann` is
 * `https%3a%2f%2fid%2eexample%23%41nn`): no separator, no dot (so never `.` or `..` or hidden), no capital (so two
 * ids never share a folder on a case-insensitive file system), and reversible. An encoded id longer than 200
 * characters is cut into folders of 200, each but the last ending in `+` (which the encoding never writes and a skill
 * name cannot hold), so no folder name passes the usual 255-byte limit.
 *
 * @module
 */

/** The longest folder name a principal's id is written in, before it is cut. */
const SEGMENT = 200;

/**
 * The folders, under the private skills folder (`principal-skills/`), of a principal's private skills.
 *
 * @param id The principal's id (see `validatePrincipalId`).
 * @returns One folder name, or several (nested) for a long id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { principalFolders, principalFromFolders } from "./principal_folder.ts";
 * assert.deepEqual(principalFolders("alice"), ["alice"]);
 * assert.deepEqual(principalFolders("https://id.example#Ann"), ["https%3a%2f%2fid%2eexample%23%41nn"]);
 * assert.equal(principalFromFolders(principalFolders("x".repeat(256) + "é")), "x".repeat(256) + "é");
 * ```
 */
export function principalFolders(id: string): string[] {
  let encoded = "";
  for (const byte of new TextEncoder().encode(id)) {
    const char = String.fromCharCode(byte);
    encoded += /^[a-z0-9_-]$/.test(char) ? char : `%${byte.toString(16).padStart(2, "0")}`;
  }
  const folders: string[] = [];
  for (let i = 0; i < encoded.length; i += SEGMENT) folders.push(encoded.slice(i, i + SEGMENT));
  return folders.map((folder, i) => i < folders.length - 1 ? `${folder}+` : folder);
}

/**
 * Reads a principal's id back from its folders.
 *
 * @param folders What {@linkcode principalFolders} returned.
 * @returns The id.
 * @throws {SyntaxError} When a folder name is not one the encoding writes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { principalFromFolders } from "./principal_folder.ts";
 * assert.equal(principalFromFolders(["team%3aops"]), "team:ops");
 * assert.throws(() => principalFromFolders(["Alice"]), SyntaxError);
 * ```
 */
export function principalFromFolders(folders: readonly string[]): string {
  const text = folders.map((f, i) => i < folders.length - 1 ? f.replace(/\+$/, "") : f).join("");
  if (!/^(?:[a-z0-9_-]|%[0-9a-f]{2})+$/.test(text)) {
    throw new SyntaxError(`Invalid principal folder ${JSON.stringify(folders.join("/"))}`);
  }
  const bytes = text.match(/%[0-9a-f]{2}|[^%]/g)!.map((part) =>
    part.length === 3 ? parseInt(part.slice(1), 16) : part.charCodeAt(0)
  );
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
}
