/**
 * Generates the labeled privacy corpus (`tests/privacy/corpus.json`): sentences and JSON-like lines mixing the
 * built-in kinds with near-misses that must not match. Deterministic: a seeded generator, so the checked-in file
 * can be compared with a fresh run.
 *
 * Run: `deno run -A tests/privacy/generate_corpus.ts` (writes the file), or import {@linkcode generateCorpus}.
 *
 * @module
 */

import { isValidPhoneNumber } from "libphonenumber-js/max";
import { seededRandom as rng } from "../helpers/seeded_random.ts";

/** A labeled value: `[start, end)` in UTF-16 code units. */
export interface Label {
  kind: string;
  start: number;
  end: number;
}

/** One record: a text and the values in it. */
export interface CorpusRecord {
  text: string;
  labels: Label[];
}

/**
 * Builds the corpus.
 *
 * @param seed The generator's seed.
 * @param count How many records.
 * @returns The records, each a text with its labeled values.
 */
export function generateCorpus(seed = 20261128, count = 600): CorpusRecord[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");
  const chars = (n: number, alphabet: string) =>
    Array.from({ length: n }, () => alphabet[int(0, alphabet.length - 1)]).join("");
  const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const FIRST = [
    "ann",
    "bob",
    "chiara",
    "dmitri",
    "eve",
    "femi",
    "gao",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
  ];
  const LAST = [
    "lee",
    "stone",
    "rossi",
    "ivanov",
    "okafor",
    "chen",
    "sato",
    "novak",
    "garcia",
    "smith",
  ];
  const DOMAINS = [
    "example.com",
    "mail.example.org",
    "corp.example.co.uk",
    "example.de",
    "uni.example.edu",
  ];

  function luhnDigit(body: string): number {
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let d = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return (10 - (sum % 10)) % 10;
  }
  function group(text: string, size: number, sep: string): string {
    return text.match(new RegExp(`.{1,${size}}`, "g"))!.join(sep);
  }
  function ibanCheck(country: string, bban: string): string {
    const rearranged = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
    let rest = 0;
    for (const c of rearranged) rest = (rest * 10 + Number(c)) % 97;
    return String(98 - rest).padStart(2, "0");
  }

  const gen: Record<string, () => string> = {
    EMAIL: () =>
      `${pick(FIRST)}${pick([".", "_", ""])}${pick(LAST)}${
        pick(["", "+news", String(int(1, 99))])
      }@${pick(DOMAINS)}`,
    PHONE: () => {
      for (;;) {
        const candidates = [
          () =>
            `(${pick(["212", "415", "312", "617", "206", "303", "512", "702"])}) ${int(201, 989)}-${
              digits(4)
            }`,
          () => `${pick(["646", "408", "773", "857", "425"])}-${int(201, 989)}-${digits(4)}`,
          () => `+1 ${pick(["213", "305", "404", "503", "615"])} ${int(201, 989)} ${digits(4)}`,
          () => `+44 20 ${int(7000, 8999)} ${digits(4)}`,
          () => `+44 7${int(400, 999)} ${digits(6)}`,
          () => `+49 30 ${digits(8)}`,
          () => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
          () => `+81 3-${digits(4)}-${digits(4)}`,
          () => `+61 2 ${digits(4)} ${digits(4)}`,
        ];
        const phone = pick(candidates)();
        if (isValidPhoneNumber(phone, "US")) return phone;
      }
    },
    CARD: () => {
      const [prefix, length] = pick(
        [["4", 16], ["51", 16], ["55", 16], ["2221", 16], ["34", 15], [
          "37",
          15,
        ], ["6011", 16]] as const,
      );
      const body = prefix + digits(length - prefix.length - 1);
      const number = body + luhnDigit(body);
      const sep = pick(["", " ", "-"]);
      return sep === ""
        ? number
        : length === 15
        ? `${number.slice(0, 4)}${sep}${number.slice(4, 10)}${sep}${number.slice(10)}`
        : group(number, 4, sep);
    },
    IBAN: () => {
      const [country, bban] = pick(
        [
          ["DE", () => digits(18)],
          ["GB", () => `${chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")}${digits(14)}`],
          ["NL", () => `${chars(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")}${digits(10)}`],
          ["FR", () => {
            // Bank, branch and account, then the French RIB key over them.
            const [bank, branch, account] = [digits(5), digits(5), digits(11)];
            const key = 97 -
              Number((89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(account)) % 97n);
            return `${bank}${branch}${account}${String(key).padStart(2, "0")}`;
          }],
          ["AT", () => digits(16)],
          ["CH", () => `${digits(5)}${chars(12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`],
        ] as const,
      );
      const b = bban();
      const iban = `${country}${ibanCheck(country, b)}${b}`;
      return r() < 0.5 ? iban : group(iban, 4, " ");
    },
    SSN: () => {
      let area = int(1, 899);
      if (area === 666) area = 667;
      return `${String(area).padStart(3, "0")}-${String(int(1, 99)).padStart(2, "0")}-${
        String(int(1, 9999)).padStart(4, "0")
      }`;
    },
    IP: () =>
      r() < 0.6 ? `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}` : pick([
        () => `2001:db8:${int(1, 0xffff).toString(16)}::${int(1, 0xffff).toString(16)}`,
        () => Array.from({ length: 8 }, () => int(0, 0xffff).toString(16)).join(":"),
        () => `fe80::${int(1, 0xffff).toString(16)}:${int(1, 0xffff).toString(16)}`,
      ])(),
    SECRET: () =>
      pick([
        () => `ghp_${chars(36, ALNUM)}`,
        () => `AKIA${chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
        () => `sk_live_${chars(24, ALNUM)}`,
        () => `xoxb-${digits(12)}-${digits(13)}-${chars(24, ALNUM)}`,
        () => `AIza${chars(35, ALNUM + "_-")}`,
        () => `glpat-${chars(20, ALNUM)}`,
        () => `npm_${chars(36, "abcdefghijklmnopqrstuvwxyz0123456789")}`,
        () => `SG.${chars(22, ALNUM)}.${chars(43, ALNUM)}`,
      ])(),
  };

  const nearMiss: (() => string)[] = [
    () => `ORD-${int(2019, 2026)}-${digits(6)}`,
    () => `#${digits(6)}`,
    () => `INV-${digits(8)}`,
    () =>
      `${int(2019, 2026)}-${String(int(1, 12)).padStart(2, "0")}-${
        String(int(1, 28)).padStart(2, "0")
      }T${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:${
        String(int(0, 59)).padStart(2, "0")
      }Z`,
    () => `${int(1600000000, 1799999999)}`,
    () => `${int(1600000000, 1799999999)}${digits(3)}`,
    () => `v${int(0, 20)}.${int(0, 40)}.${int(0, 99)}`,
    () => `${int(1, 9)}.${int(0, 30)}.${int(0, 9)}-rc.${int(1, 5)}`,
    () => [8, 4, 4, 4, 12].map((n) => chars(n, "0123456789abcdef")).join("-"),
    () => `$${int(1, 99)},${digits(3)}.${digits(2)}`,
    () => `${int(1, 9999)}.${digits(2)} EUR`,
    () => {
      // 16 digits that fail Luhn
      const body = "4" + digits(14);
      return group(body + ((luhnDigit(body) + int(1, 9)) % 10), 4, " ");
    },
    () => {
      const b = digits(18);
      const good = ibanCheck("DE", b);
      const bad = String((Number(good) + int(1, 50)) % 97).padStart(2, "0");
      return group(`DE${bad === good ? "00" : bad}${b}`, 4, " ");
    },
    () =>
      `${pick(["000", "666", String(int(900, 999))])}-${String(int(1, 99)).padStart(2, "0")}-${
        digits(4)
      }`,
    () => `${int(256, 999)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
    () => `${int(1, 255)}.${int(0, 255)}.${int(0, 255)}`,
    () =>
      `${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:${
        String(int(0, 59)).padStart(2, "0")
      }`,
    () => Array.from({ length: 6 }, () => chars(2, "0123456789ABCDEF")).join(":"),
    () => chars(40, "0123456789abcdef"),
    () => `ghp_${chars(10, ALNUM)}`,
    () => `${digits(5)}`,
    () => `${digits(5)}-${digits(4)}`,
    () => `978-${int(0, 9)}-${digits(2)}-${digits(6)}-${int(0, 9)}`,
    () =>
      `${String(int(1, 12)).padStart(2, "0")}/${String(int(1, 28)).padStart(2, "0")}/${
        int(2019, 2026)
      }`,
    () => `${int(-89, 89)}.${digits(4)}, ${int(-179, 179)}.${digits(4)}`,
    () => `${int(100, 999)}${digits(6)}`,
    () => `${int(1, 9)}${digits(11)}`,
    () => `ACC ${digits(11)}`,
    () => `+${int(1, 99)}.${int(0, 9)}%`,
    () => `${String(int(0, 11)).padStart(2, "0")}:00-${int(12, 23)}:30`,
    () => `0${digits(9)}`,
  ];

  const records: CorpusRecord[] = [];
  const kinds = Object.keys(gen);
  const LINKS = [" and ", ", ", "; then ", " — ref ", " / ", "\n"];
  const LEADS = ["Note: ", "Ticket says ", "", "row: ", "Re: ", '{"value": "'];
  for (let i = 0; i < count; i++) {
    let text = pick(LEADS);
    const labels: Label[] = [];
    const parts = int(2, 5);
    for (let p = 0; p < parts; p++) {
      if (p > 0) text += pick(LINKS);
      if (r() < 0.55) {
        const kind = pick(kinds);
        const value = gen[kind]!();
        text += pick(["", `${kind.toLowerCase()} `, "see ", "to "]);
        labels.push({ kind, start: text.length, end: text.length + value.length });
        text += value;
      } else {
        text += pick(["id ", "at ", "total ", "", "build "]) + pick(nearMiss)();
      }
    }
    text += pick([".", "", " thanks", '"}']);
    records.push({ text, labels });
  }
  return records;
}

/**
 * The corpus file's text: one record a line.
 *
 * @param corpus The records.
 * @returns JSON, an array with one record a line.
 */
export function renderCorpus(corpus: readonly CorpusRecord[]): string {
  return `[\n${corpus.map((record) => JSON.stringify(record)).join(",\n")}\n]\n`;
}

if (import.meta.main) {
  const path = new URL("./corpus.json", import.meta.url);
  const corpus = generateCorpus();
  await Deno.writeTextFile(path, renderCorpus(corpus));
  console.log(`Wrote ${corpus.length} records to ${path.pathname}`);
}
