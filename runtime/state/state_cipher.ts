/**
 * `StateCipher`: what the PostgreSQL engine encrypts before it writes (upstream sign-ins, PII vaults), with
 * AES-256-GCM through WebCrypto. The key comes from `MCPX_STATE_KEY` or a key file (`state.keyFile`), never from
 * the database: a copy of the database alone reveals no token.
 *
 * @module
 */

/** The variable that gives the key: the base64 of 32 random bytes. */
export const STATE_KEY_ENV = "MCPX_STATE_KEY";

const IV_BYTES = 12;

function decodeKey(text: string, source: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    throw new TypeError(`Cannot use the state key: ${source} is not base64`);
  }
  if (bytes.length !== 32) {
    throw new TypeError(
      `Cannot use the state key: ${source} holds ${bytes.length} bytes, expected 32 (openssl rand -base64 32)`,
    );
  }
  return bytes;
}

/**
 * Encrypts and decrypts JSON values for the state store. Each value is sealed with its own random 96-bit IV and
 * bound to a context string (what the row is, e.g. its principal and server), so a row copied onto another row's
 * place does not open.
 *
 * @example
 * ```ts
 * import { StateCipher } from "./state_cipher.ts";
 * import assert from "node:assert/strict";
 * const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
 * const cipher = await StateCipher.fromBase64(key);
 * const sealed = await cipher.seal({ access_token: "a" }, "sign-in alice linear");
 * assert.ok(!new TextDecoder().decode(sealed).includes("access_token"));
 * assert.deepEqual(await cipher.open(sealed, "sign-in alice linear"), { access_token: "a" });
 * await assert.rejects(() => cipher.open(sealed, "sign-in bob linear"), /Cannot decrypt/);
 * ```
 */
export class StateCipher {
  #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /**
   * A cipher from the base64 of a 32-byte key.
   *
   * @param base64 The key, as `openssl rand -base64 32` prints it.
   * @param source What to call the key in errors. Default `"the key"`.
   * @returns The cipher.
   * @throws {TypeError} When the text is not base64 of exactly 32 bytes.
   */
  static async fromBase64(base64: string, source = "the key"): Promise<StateCipher> {
    const raw = decodeKey(base64, source);
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    raw.fill(0);
    return new StateCipher(key);
  }

  /**
   * The cipher the daemon uses with `state.url`: the key file when one is named, else `MCPX_STATE_KEY`.
   *
   * @param options `keyFile`: the path of a file holding the key's base64 (`state.keyFile`); `env` reads a
   *   variable (default `Deno.env.get`).
   * @returns The cipher.
   * @throws {Error} `Cannot use the state store: ...` naming both `MCPX_STATE_KEY` and `state.keyFile` when
   *   neither gives a key, or when the file cannot be read; {@linkcode TypeError} when the key is malformed.
   *
   * @example
   * ```ts
   * import { StateCipher } from "./state_cipher.ts";
   * import assert from "node:assert/strict";
   * await assert.rejects(() => StateCipher.load({ env: () => undefined }), /MCPX_STATE_KEY.*state\.keyFile/);
   * const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
   * assert.ok(await StateCipher.load({ env: (name) => name === "MCPX_STATE_KEY" ? key : undefined }));
   * ```
   */
  static async load(
    options: { keyFile?: string; env?: (name: string) => string | undefined } = {},
  ): Promise<StateCipher> {
    if (options.keyFile !== undefined) {
      let text: string;
      try {
        text = await Deno.readTextFile(options.keyFile);
      } catch (error) {
        throw new Error(
          `Cannot use the state store: cannot read state.keyFile "${options.keyFile}": ${
            (error as Error).message
          }`,
        );
      }
      return StateCipher.fromBase64(text, "state.keyFile");
    }
    const env = options.env ?? ((name: string) => Deno.env.get(name));
    const value = env(STATE_KEY_ENV) || undefined;
    if (value === undefined) {
      throw new Error(
        `Cannot use the state store: it encrypts sign-ins and PII vaults with a key that neither ` +
          `${STATE_KEY_ENV} nor state.keyFile gives (openssl rand -base64 32)`,
      );
    }
    return StateCipher.fromBase64(value, STATE_KEY_ENV);
  }

  /**
   * Encrypts a JSON value.
   *
   * @param value Any JSON value.
   * @param context What the value is; the same text must be given to {@linkcode StateCipher.open}.
   * @returns The IV followed by the ciphertext and its tag.
   */
  async seal(value: unknown, context: string): Promise<Uint8Array<ArrayBuffer>> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
        this.#key,
        plain,
      ),
    );
    const out = new Uint8Array(IV_BYTES + sealed.length);
    out.set(iv);
    out.set(sealed, IV_BYTES);
    return out;
  }

  /**
   * Decrypts what {@linkcode StateCipher.seal} returned.
   *
   * @param sealed The IV, ciphertext and tag.
   * @param context The context it was sealed with.
   * @returns The JSON value.
   * @throws {Error} `Cannot decrypt ...` when the key or the context differ, or the bytes were changed.
   */
  async open(sealed: Uint8Array, context: string): Promise<unknown> {
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: sealed.slice(0, IV_BYTES),
          additionalData: new TextEncoder().encode(context),
        },
        this.#key,
        sealed.slice(IV_BYTES),
      );
      return JSON.parse(new TextDecoder().decode(plain));
    } catch (error) {
      throw new Error(
        "Cannot decrypt a state store row: another key encrypted it, or it was changed",
        { cause: error },
      );
    }
  }
}
