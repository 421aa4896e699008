/**
 * Deterministic data for the token scenarios of `bench/tokens.ts`: a meeting transcript, an orders CSV and a team
 * roster, each drawn from a seeded generator so that every run writes the same bytes.
 *
 * @module
 */

/**
 * Mulberry32: a small seeded generator of numbers in [0, 1).
 *
 * @param seed Any 32-bit integer.
 * @returns The generator.
 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function picker(next: () => number): <T>(items: readonly T[]) => T {
  return (items) => items[Math.floor(next() * items.length)]!;
}

const SPEAKERS = [
  "Priya Raman (engineering manager)",
  "Tomás Ferreira (backend lead)",
  "Hannah Okafor (product)",
  "Jun Watanabe (SRE)",
  "Leila Haddad (design)",
  "Marcus Lindqvist (data)",
] as const;

const TOPICS = [
  "the billing migration",
  "the Q3 roadmap",
  "on-call load",
  "the onboarding funnel",
  "the search latency regression",
  "the mobile release",
  "the data retention policy",
  "the vendor contract renewal",
] as const;

const OPENERS = [
  "So, on {topic},",
  "Picking up {topic} again,",
  "One more thing about {topic}:",
  "Quick update on {topic}.",
  "I want to push back a little on {topic}.",
  "From my side, {topic} looks like this:",
] as const;

const CLAUSES = [
  "we shipped the first slice on Tuesday and error rates stayed under {n} per thousand requests",
  "the dashboard shows p95 latency at {n} ms, which is still above the target we agreed",
  "I talked to {n} customers last week and most of them asked for the export to be scheduled",
  "the staging cluster ran out of disk twice, so we moved the nightly job to a larger volume",
  "we need a decision from legal before we can delete anything older than {n} days",
  "the contract gives us until the end of the month to give notice, otherwise it renews for a year",
  "two of the alerts that paged last night were duplicates, and one fired on a metric nobody owns",
  "the new checkout screen tested well, although {n} percent of people missed the coupon field",
  "if we freeze the schema on Friday the backfill can run over the weekend without blocking deploys",
  "the cost report says storage went up by {n} percent after we turned on the audit log",
  "I would rather ship behind a flag to {n} percent of accounts than wait for the full rewrite",
  "the runbook is out of date, it still points at the old queue and the old dashboard",
  "support tickets about login dropped after the fix, but password resets went up slightly",
  "we could batch the writes, which would cut the number of database round trips by about {n}",
  "nobody has looked at the flaky integration test in three weeks and it fails about {n} times a day",
  "the design review is booked for Thursday and I will share the prototype link before then",
] as const;

const CLOSERS = [
  "Does anyone object?",
  "I'll write that up in the doc.",
  "Let's take the details offline.",
  "Can we get an owner for that?",
  "That's my main worry, honestly.",
  "I think that's a reasonable trade-off.",
  "We should revisit it next sprint.",
  "I'll follow up with the vendor.",
] as const;

/** The meeting transcript's first line, before its paragraphs. */
export const TRANSCRIPT_TITLE = "# Weekly product sync, 2025-03-14";

/**
 * A meeting transcript of about 9,000 o200k_base tokens: a title line, then one paragraph per speaker turn
 * (`[hh:mm:ss] Speaker (role): ...`), paragraphs separated by a blank line. Every paragraph is distinct.
 *
 * @param turns How many speaker turns. Default 100.
 * @param seed The generator's seed. Default 2025.
 * @returns The transcript text, ending with a newline.
 */
export function makeTranscript(turns = 100, seed = 2025): string {
  const next = seededRandom(seed);
  const pick = picker(next);
  const fill = (text: string, topic: string) =>
    text.replace("{topic}", topic).replace("{n}", String(2 + Math.floor(next() * 97)));
  const paragraphs: string[] = [TRANSCRIPT_TITLE];
  let seconds = 0;
  for (let turn = 0; turn < turns; turn++) {
    seconds += 20 + Math.floor(next() * 70);
    const clock = [seconds / 3600, (seconds / 60) % 60, seconds % 60]
      .map((v) => String(Math.floor(v)).padStart(2, "0"))
      .join(":");
    const topic = pick(TOPICS);
    const clauses = Array.from(
      { length: 2 + Math.floor(next() * 3) },
      () => fill(pick(CLAUSES), topic),
    );
    const opener = fill(pick(OPENERS), topic);
    let body = clauses.map((c, i) => (i === 0 ? c : `and ${c}`)).join(", ");
    if (!opener.endsWith(",")) body = body[0]!.toUpperCase() + body.slice(1);
    paragraphs.push(`[${clock}] ${pick(SPEAKERS)}: ${opener} ${body}. ${pick(CLOSERS)}`);
  }
  return `${paragraphs.join("\n\n")}\n`;
}

/**
 * Splits a text into paragraphs the way the scenario's agent code does: on blank lines, trimmed, empty ones
 * dropped.
 *
 * @param text The text.
 * @returns Its paragraphs.
 */
export function splitParagraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== "");
}

/** One row of the orders CSV. */
export interface Order {
  id: string;
  customer: string;
  region: string;
  amount: number;
  status: string;
}

const NAME_HEADS = [
  "Acme",
  "Blue",
  "North",
  "Silver",
  "Cedar",
  "Nova",
  "Harbor",
  "Quartz",
  "Summit",
  "Lumen",
];
const NAME_TAILS = [
  "Labs",
  "Foods",
  "Logistics",
  "Health",
  "Retail",
  "Energy",
  "Media",
  "Works",
  "Systems",
];
const REGIONS = ["NA", "EMEA", "APAC", "LATAM"] as const;
/** Statuses with their weights. */
const STATUSES = [["paid", 50], ["shipped", 25], ["pending", 12], ["refunded", 8], [
  "cancelled",
  5,
]] as const;

/**
 * Orders with id, customer, region, amount (two decimals, 5 to 5,000) and status.
 *
 * @param rows How many orders. Default 10,000.
 * @param seed The generator's seed. Default 7.
 * @returns The orders, ids `ORD-00001` upwards.
 */
export function makeOrders(rows = 10_000, seed = 7): Order[] {
  const next = seededRandom(seed);
  const pick = picker(next);
  const customers = NAME_HEADS.flatMap((head) => NAME_TAILS.map((tail) => `${head} ${tail}`));
  const orders: Order[] = [];
  for (let i = 1; i <= rows; i++) {
    let roll = next() * 100;
    const status = STATUSES.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? "paid";
    orders.push({
      id: `ORD-${String(i).padStart(5, "0")}`,
      customer: pick(customers),
      region: pick(REGIONS),
      amount: Math.round((5 + next() * 4995) * 100) / 100,
      status,
    });
  }
  return orders;
}

/**
 * Orders as CSV: a header line, then one line an order (no field holds a comma or a quote).
 *
 * @param orders The orders.
 * @returns The CSV text, ending with a newline.
 */
export function ordersCsv(orders: readonly Order[]): string {
  const lines = orders.map((o) =>
    `${o.id},${o.customer},${o.region},${o.amount.toFixed(2)},${o.status}`
  );
  return `id,customer,region,amount,status\n${lines.join("\n")}\n`;
}

/** One person of the team roster. */
export interface Person {
  name: string;
  role: "engineer" | "designer" | "manager";
  team: string;
  joined: string;
}

const FIRST = [
  "Ada",
  "Bram",
  "Chloé",
  "Dev",
  "Elif",
  "Farid",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Kemi",
  "Lars",
];
const LAST = [
  "Moreau",
  "Osei",
  "Sato",
  "Novak",
  "Costa",
  "Iyer",
  "Berg",
  "Quinn",
  "Adeyemi",
  "Kowalski",
];
const TEAMS = ["runtime", "sandbox", "codegen", "search", "platform"] as const;

/**
 * A team roster of distinct people with a role, a team and a start date.
 *
 * @param size How many people. Default 30.
 * @param seed The generator's seed. Default 11.
 * @returns The roster.
 */
export function makeTeam(size = 30, seed = 11): Person[] {
  const next = seededRandom(seed);
  const pick = picker(next);
  const people: Person[] = [];
  const names = new Set<string>();
  while (people.length < size) {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    if (names.has(name)) continue;
    names.add(name);
    const roll = next();
    const month = String(1 + Math.floor(next() * 12)).padStart(2, "0");
    people.push({
      name,
      role: roll < 0.65 ? "engineer" : roll < 0.85 ? "designer" : "manager",
      team: pick(TEAMS),
      joined: `${2019 + Math.floor(next() * 6)}-${month}`,
    });
  }
  return people;
}
