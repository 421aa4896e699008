/**
 * Secret detection: API keys and tokens of well-known providers (patterns adapted from gitleaks' MIT-licensed rule
 * file, rewritten for JavaScript and checked for catastrophic backtracking by `recheck` in the tests), private key
 * blocks, and high-entropy values after a key-like name (`api_key=...`, `"token": "..."`).
 *
 * @module
 */

import type { Span } from "./resolve_spans.ts";

/** One provider's key or token, by the prefix or shape it always has. */
export interface SecretRule {
  id: string;
  pattern: RegExp;
}

const B = "(?<![A-Za-z0-9_-])"; // no word character or dash before
const E = "(?![A-Za-z0-9_-])"; // and none after

function rule(id: string, body: string, flags = ""): SecretRule {
  return { id, pattern: new RegExp(`${B}${body}${E}`, `g${flags}`) };
}

/** The provider rules (gitleaks ids). */
export const SECRET_RULES: readonly SecretRule[] = [
  rule("aws-access-token", "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"),
  rule("github-pat", "ghp_[0-9a-zA-Z]{36}"),
  rule("github-fine-grained-pat", "github_pat_[0-9a-zA-Z_]{82}"),
  rule("github-oauth", "gho_[0-9a-zA-Z]{36}"),
  rule("github-app-token", "(?:ghu|ghs)_[0-9a-zA-Z]{36}"),
  rule("github-refresh-token", "ghr_[0-9a-zA-Z]{36}"),
  rule("gitlab-pat", "glpat-[0-9a-zA-Z_-]{20}"),
  rule("slack-token", "xox[bpaors]-(?:[0-9a-zA-Z]{1,40}-){1,4}[0-9a-zA-Z]{10,64}"),
  rule(
    "slack-webhook-url",
    "https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9+/]{43,56}",
  ),
  rule("stripe-access-token", "(?:sk|rk)_(?:test|live|prod)_[0-9a-zA-Z]{10,99}"),
  rule(
    "openai-api-key",
    "sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}",
  ),
  rule("openai-api-key-legacy", "sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
  rule("anthropic-api-key", "sk-ant-(?:api03|admin01)-[a-zA-Z0-9_-]{93}AA"),
  rule("gcp-api-key", "AIza[0-9A-Za-z_-]{35}"),
  rule("npm-access-token", "npm_[a-z0-9]{36}", "i"),
  rule("pypi-upload-token", "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}"),
  rule("sendgrid-api-token", "SG\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9_-]{43}"),
  rule("twilio-api-key", "SK[0-9a-fA-F]{32}"),
  rule("mailgun-private-api-token", "key-[a-f0-9]{32}"),
  rule("shopify-token", "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
  rule("digitalocean-token", "do[opr]_v1_[a-f0-9]{64}"),
  rule("huggingface-access-token", "hf_[a-zA-Z]{34}"),
  rule("databricks-api-token", "dapi[a-f0-9]{32}(?:-\\d)?"),
  rule("square-access-token", "(?:EAAA|sq0atp-)[0-9A-Za-z_-]{22,60}"),
  rule("linear-api-key", "lin_api_[a-zA-Z0-9]{40}"),
  rule("postman-api-token", "PMAK-[a-f0-9]{24}-[a-f0-9]{34}", "i"),
  rule("doppler-api-token", "dp\\.pt\\.[a-z0-9]{43}", "i"),
  rule("grafana-service-account-token", "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
  rule("age-secret-key", "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
  rule(
    "jwt",
    "ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9/_-]{17,}\\.(?:[a-zA-Z0-9/_-]{10,}={0,2})?",
  ),
];

/**
 * Every provider rule in one expression (one for the case-sensitive rules, one for the others): a text neither
 * matches cannot match any rule, so most texts are read twice instead of once per rule. An alternation of
 * expressions each free of catastrophic backtracking is free of it too (the work at each start is the sum of
 * theirs); recheck times out on the union's size, so the tests check the rules one by one and run the detector on
 * long adversarial inputs.
 */
const ANY_RULE = [false, true].map((caseless) =>
  new RegExp(
    SECRET_RULES.filter((r) => r.pattern.flags.includes("i") === caseless)
      .map((r) => r.pattern.source).join("|"),
    caseless ? "i" : "",
  )
);

const PRIVATE_KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END = /-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;

/** Key-like names: a value after one of these is a secret when it looks random (or is a password). */
export const KEY_LIKE =
  /(?:^|[^a-z])(?:token|secret|passw(?:or)?d|passphrase|pwd|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|authorization|bearer|session[_-]?(?:id|key|token))(?:$|[^a-z])/i;
const PASSWORD_LIKE = /passw(?:or)?d|passphrase|pwd/i;
const ASSIGNMENT =
  /(token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|client[_-]?secret)["']?[ \t]{0,3}[:=][ \t]{0,3}["']?([^\s"',;]{8,256})/dgi;

/** Every expression here, for the backtracking check in the tests. */
export const SECRET_PATTERNS: Readonly<Record<string, RegExp>> = {
  ...Object.fromEntries(SECRET_RULES.map((r) => [r.id, r.pattern])),
  PRIVATE_KEY_BEGIN,
  PRIVATE_KEY_END,
  KEY_LIKE,
  PASSWORD_LIKE,
  ASSIGNMENT,
};

/**
 * Bits of Shannon entropy per character.
 *
 * @param text The text.
 * @returns 0 for an empty or one-letter text, up to log2 of the distinct characters.
 */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Whether a field value is a secret by its name and shape: a key-like name and a random-looking value without
 * spaces (at least 12 characters and 3 bits of entropy a character), or any value of 4 or more characters in a
 * password-like field.
 *
 * @param key The field's name (camelCase is split, so `accessToken` counts).
 * @param value The field's string value.
 * @returns `true` when the whole value should be tokenized as `SECRET`.
 */
export function isSecretField(key: string, value: string): boolean {
  const name = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  if (!KEY_LIKE.test(name) || /\s/.test(value)) return false;
  if (PASSWORD_LIKE.test(name)) return value.length >= 4;
  return value.length >= 12 && entropy(value) >= 3;
}

/**
 * Finds secrets in a text: provider keys and tokens, private key blocks, and random values assigned to key-like
 * names.
 *
 * @param text The text.
 * @param out Where spans are added.
 */
export function detectSecrets(text: string, out: Span[]): void {
  if (ANY_RULE.some((any) => any.test(text))) {
    for (const { pattern } of SECRET_RULES) {
      for (const m of text.matchAll(pattern)) {
        out.push({ start: m.index, end: m.index + m[0].length, kind: "SECRET", score: 0.95 });
      }
    }
  }
  if (text.includes("PRIVATE KEY")) {
    PRIVATE_KEY_BEGIN.lastIndex = 0;
    for (let m = PRIVATE_KEY_BEGIN.exec(text); m !== null; m = PRIVATE_KEY_BEGIN.exec(text)) {
      PRIVATE_KEY_END.lastIndex = m.index + m[0].length;
      const end = PRIVATE_KEY_END.exec(text);
      if (end === null) break;
      out.push({ start: m.index, end: end.index + end[0].length, kind: "SECRET", score: 1 });
      PRIVATE_KEY_BEGIN.lastIndex = end.index + end[0].length;
    }
  }
  if (text.includes("=") || text.includes(":")) {
    for (const m of text.matchAll(ASSIGNMENT)) {
      const value = m[2]!;
      const [start, end] = m.indices![2]!;
      if (PASSWORD_LIKE.test(m[1]!) || entropy(value) >= 3) {
        out.push({ start, end, kind: "SECRET", score: 0.7 });
      }
    }
  }
}
