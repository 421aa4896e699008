/**
 * A generated tool result for the privacy benchmark: JSON rows as a CRM or database export would return them, with
 * emails, phone numbers, card numbers, IBANs and names (found through a field rule), plus near-miss noise that must
 * stay as it is (order numbers, timestamps, versions, UUIDs, prices, 16-digit numbers failing Luhn).
 *
 * @module
 */

import { seededRandom as rng } from "../tests/helpers/seeded_random.ts";

const FIRST = ["Ann", "Bob", "Chiara", "Dmitri", "Eve", "Femi", "Gao", "Hana", "Ivan", "Lena"];
const LAST = ["Lee", "Stone", "Rossi", "Ivanov", "Okafor", "Chen", "Sato", "Novak", "Garcia"];
const DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.io"];
// Valid test card numbers (Luhn and prefix) and IBANs (checksum), as payment providers publish them.
const CARDS = [
  "4111 1111 1111 1111",
  "5555 5555 5555 4444",
  "4012 8888 8888 1881",
  "378282246310005",
];
const IBANS = [
  "DE89 3704 0044 0532 0130 00",
  "GB82WEST12345698765432",
  "FR1420041010050500013M02606",
];
const AREA = ["415", "212", "646", "312", "617", "206"];

/** What {@linkcode piiResult} made. */
export interface PiiResult {
  /** `{ rows: [...] }`. */
  value: { rows: Record<string, unknown>[] };
  /** Its size as JSON text, in bytes. */
  bytes: number;
  rows: number;
}

/**
 * Builds a result of about `bytes` bytes of JSON. Each row has a unique person (name, email, phone), a card or an
 * IBAN, a note in free text that mentions the person's email again, and noise fields.
 *
 * @param bytes The size wanted, in bytes of JSON text.
 * @param seed The generator's seed.
 * @returns The result and its real size.
 */
export function piiResult(bytes: number, seed = 42): PiiResult {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");
  const hex = (n: number) =>
    Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
  const rows: Record<string, unknown>[] = [];
  let size = 12;
  for (let i = 0; size < bytes; i++) {
    const first = pick(FIRST), last = pick(LAST);
    const name = `${first} ${last} ${i}`;
    const email = `${first.toLowerCase()}.${last.toLowerCase()}${i}@${pick(DOMAINS)}`;
    const phone = `+1 ${pick(AREA)}-555-${String(i % 10_000).padStart(4, "0")}`;
    const row: Record<string, unknown> = {
      id: i,
      name,
      email,
      phone,
      payment: i % 3 === 0 ? pick(IBANS) : pick(CARDS),
      note: `Called ${name} on ${phone}; follow up by mail to ${email}.`,
      // Near misses: none of these is personal data.
      order: `ORD-2026-${digits(6)}`,
      created: `2026-0${int(1, 9)}-1${int(0, 9)}T0${int(0, 9)}:${int(10, 59)}:${int(10, 59)}Z`,
      version: `v${int(1, 9)}.${int(0, 20)}.${int(0, 99)}`,
      uuid: [8, 4, 4, 4, 12].map((n) => hex(n)).join("-"),
      price: `$${int(1, 999)}.${digits(2)}`,
      account: `${digits(15)}${int(0, 9)}`,
    };
    rows.push(row);
    size += JSON.stringify(row).length + 1;
  }
  const value = { rows };
  return {
    value,
    bytes: new TextEncoder().encode(JSON.stringify(value)).length,
    rows: rows.length,
  };
}
