/**
 * The built-in detectors except secrets: each finds candidates with a plain, linear regular expression and keeps
 * those a validator accepts (a library where a maintained one exists).
 *
 * @module
 */

import { findPhoneNumbersInText } from "libphonenumber-js/max";
import type { CountryCode } from "libphonenumber-js/max";
import { electronicFormatIBAN, getCountrySpecifications, isValidIBAN } from "ibantools";
// @ts-types="@types/validator"
import validator from "validator";
import type { Span } from "./resolve_spans.ts";

/** Finds spans of one kind in a text. */
export type Detect = (text: string, out: Span[]) => void;

// Candidates start only where the previous character cannot belong to them, so each run is tried once (linear).
const EMAIL =
  /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?![\w-])/g;
const CARD = /(?<![A-Za-z0-9-])\d(?:[ -]?\d){12,18}(?![\d])/g;
const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g;
const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])/g;

/** The candidate expressions, for the backtracking check in the tests. */
export const CANDIDATE_PATTERNS: Readonly<Record<string, RegExp>> = {
  EMAIL,
  CARD,
  SSN,
  IBAN,
  IPV4,
  IPV6,
};

function email(text: string, out: Span[]): void {
  if (!text.includes("@")) return;
  for (const m of text.matchAll(EMAIL)) {
    if (validator.isEmail(m[0])) {
      out.push({ start: m.index, end: m.index + m[0].length, kind: "EMAIL", score: 0.9 });
    }
  }
}

/** Whether a string of digits passes the Luhn check. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function card(text: string, out: Span[]): void {
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, "");
    // A number written with separators uses one kind of separator.
    if (m[0].includes(" ") && m[0].includes("-")) continue;
    if (luhn(digits) && validator.isCreditCard(digits)) {
      out.push({ start: m.index, end: m.index + m[0].length, kind: "CARD", score: 0.95 });
    }
  }
}

// Numbers the SSA never issues, and ones published in advertising that appear in test data everywhere.
const SSN_PUBLISHED = new Set(["078051120", "219099999", "123456789"]);

function ssn(text: string, out: Span[]): void {
  for (const m of text.matchAll(SSN)) {
    const area = Number(m[1]), group = Number(m[3]), serial = Number(m[4]);
    if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) continue;
    if (SSN_PUBLISHED.has(`${m[1]}${m[3]}${m[4]}`)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, kind: "SSN", score: 0.85 });
  }
}

const IBAN_LENGTH = new Map<string, number>(
  Object.entries(getCountrySpecifications())
    .filter(([, spec]) => typeof spec.chars === "number" && spec.chars > 0)
    .map(([code, spec]) => [code, spec.chars as number]),
);

function iban(text: string, out: Span[]): void {
  IBAN.lastIndex = 0;
  for (let m = IBAN.exec(text); m !== null; m = IBAN.exec(text)) {
    const length = IBAN_LENGTH.get(m[0].slice(0, 2));
    if (length === undefined) continue;
    // The candidate may run into the next word or IBAN: cut it to the country's length, counting characters only.
    let end = 0, count = 0;
    while (end < m[0].length && count < length) if (m[0][end++] !== " ") count++;
    if (count !== length || /[A-Za-z0-9]/.test(text[m.index + end] ?? "")) continue;
    IBAN.lastIndex = m.index + end;
    const compact = electronicFormatIBAN(m[0].slice(0, end));
    if (compact !== null && isValidIBAN(compact)) {
      out.push({ start: m.index, end: m.index + end, kind: "IBAN", score: 0.95 });
    }
  }
}

function ip(text: string, out: Span[]): void {
  if (text.includes(".")) {
    for (const m of text.matchAll(IPV4)) {
      if (validator.isIP(m[0], 4)) {
        out.push({ start: m.index, end: m.index + m[0].length, kind: "IP", score: 0.8 });
      }
    }
  }
  if (text.includes(":")) {
    for (const m of text.matchAll(IPV6)) {
      if (m[0].length > 2 && validator.isIP(m[0], 6)) {
        out.push({ start: m.index, end: m.index + m[0].length, kind: "IP", score: 0.8 });
      }
    }
  }
}

/** `ORD-2024-118812`, `#2024118812`, `2024118812-A`: digits that belong to an identifier, not a phone number. */
function insideIdentifier(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 2), start);
  const after = text.slice(end, end + 2);
  return before.endsWith("#") || /[A-Za-z0-9][-_/.]$/.test(before) ||
    /^[-_/.][A-Za-z0-9]/.test(after);
}

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function enoughDigits(text: string, start: number, end: number): boolean {
  let digits = 0;
  for (let i = start; i < end && digits < 7; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits >= 7;
}

/** Runs of text between characters no phone number contains: each is searched on its own. */
const PHONE_SEGMENT = /[^,;|\t\n]+/g;

/**
 * A phone detector reading national numbers in `region`: libphonenumber-js finds the numbers and only valid ones
 * (by its full metadata) are kept. The text is searched in segments split at `,` `;` `|` tabs and newlines: the
 * finder gives up on a candidate that runs across a field separator ("3741, 408-849-8764") instead of retrying.
 */
function phone(region: string): Detect {
  const options = { defaultCountry: region as CountryCode };
  return (text, out) => {
    if (!enoughDigits(text, 0, text.length)) return;
    for (const segment of text.matchAll(PHONE_SEGMENT)) {
      if (!enoughDigits(segment[0], 0, segment[0].length)) continue;
      const offset = segment.index;
      for (const m of findPhoneNumbersInText(segment[0], options)) {
        if (!m.number.isValid()) continue;
        let start = offset + m.startsAt;
        const end = offset + m.endsAt;
        while (text[start] === " ") start++;
        const found = text.slice(start, end);
        if (insideIdentifier(text, start, end) || DOTTED_QUAD.test(found)) continue;
        // A bare run of more than 10 digits is an account or order number far more often than a phone number.
        if (/^\d{11,}$/.test(found)) continue;
        out.push({ start, end, kind: "PHONE", score: 0.75 });
      }
    }
  };
}

/**
 * The built-in detectors by kind (secrets live in their own file).
 *
 * @param phoneRegion The region national phone numbers are read in.
 * @returns One detector a kind.
 */
export function builtinDetectors(phoneRegion: string): Record<string, Detect> {
  return { EMAIL: email, PHONE: phone(phoneRegion), CARD: card, IBAN: iban, SSN: ssn, IP: ip };
}
