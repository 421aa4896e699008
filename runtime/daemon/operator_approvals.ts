/**
 * {@linkcode OperatorApprovals}: approval questions put to people who hold `mcpx:approve` (operators), never to
 * the client of the session whose code made the call. It keeps the pending set, bounded, and tells listeners (the
 * `GET /approvals` event stream) what was added and answered.
 *
 * @module
 */

import type { ApprovalAnswer, ApprovalRequest, Approver } from "../approvals/mod.ts";
import { logger } from "../log.ts";
import type { ApprovalNotice } from "../state/mod.ts";
import type { ApprovalBus } from "./approval_bus.ts";
import { checkOperatorAnswer as checkAnswer } from "./self_approval_error.ts";

export { SelfApprovalError } from "./self_approval_error.ts";

const log = logger("daemon");

/** The default of `maxPending`: how many approvals may wait for an operator at once. */
export const DEFAULT_MAX_PENDING_APPROVALS = 100;

/** A call waiting for an operator, as `GET /approvals` lists it. */
export interface PendingApproval {
  /** The approval's id: answer it at `POST /approvals/<id>`. */
  id: string;
  server: string;
  tool: string;
  /**
   * The arguments the call will carry. With `pii` on these are the real values (restored from placeholders): an
   * operator decides on what will actually be sent.
   */
  args: unknown;
  /** With `pii` on: the placeholders agent code used, and their kinds. */
  placeholders?: readonly { token: string; kind: string }[];
  taskId: string;
  session?: string;
  /** Who the task acts for. */
  principal?: string;
  /** The approval rule that asked. */
  rule: string;
  /** When it was asked, ISO 8601. */
  askedAt: string;
}

/**
 * What listeners hear: a new question, an operator's answer, a question withdrawn (deadline, task ended), or the
 * end (the daemon stops; event streams close).
 */
export type OperatorApprovalEvent =
  | { type: "added"; approval: PendingApproval }
  | { type: "answered"; id: string; approved: boolean; answeredBy: string; reason?: string }
  | { type: "withdrawn"; id: string }
  | { type: "closed" };

/** An operator's answer to one pending approval. */
export interface OperatorAnswer {
  /** `true` lets the call out; anything else refuses it. */
  approve: boolean;
  /** Why, shown to the agent code on a refusal (at most 500 characters are kept). */
  reason?: string;
}

/** Options for {@linkcode OperatorApprovals}. */
export interface OperatorApprovalsOptions {
  /** How many approvals may be pending at once; a call over it is refused at once. Default 100. */
  maxPending?: number | undefined;
  /**
   * Shares questions and answers with other replicas (the state store's `approvals()`): an operator sees every
   * replica's questions, and an answer given on any replica reaches the waiting task.
   */
  shared?: ApprovalBus | undefined;
}

interface Pending {
  approval: PendingApproval;
  settle: (answer: ApprovalAnswer) => void;
}

/**
 * The pending approvals an operator answers. Give {@linkcode OperatorApprovals.approve} to the orchestrator as its
 * approver; answer with {@linkcode OperatorApprovals.answer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperatorApprovals } from "./operator_approvals.ts";
 * const operators = new OperatorApprovals({ maxPending: 1 });
 * const signal = new AbortController().signal;
 * const asked = operators.approve({ server: "memory", tool: "delete_entities", args: { entityNames: ["Ada"] },
 *   taskId: "t1", rule: "default:destructive", principal: "agent-1", signal });
 * const [pending] = operators.list();
 * assert.equal(pending?.principal, "agent-1");
 * const full = await operators.approve({ server: "memory", tool: "delete_entities", args: {}, taskId: "t2",
 *   rule: "*", signal });
 * assert.match((full as { reason: string }).reason, /1 approval is pending \(limit "approvals\.maxPending"\)/);
 * assert.equal(operators.answer(pending!.id, { approve: true }, "alice"), true);
 * assert.deepEqual(await asked, { approved: true, answeredBy: "alice" });
 * assert.equal(operators.size, 0);
 * ```
 */
export class OperatorApprovals {
  #pending = new Map<string, Pending>();
  #listeners = new Set<(event: OperatorApprovalEvent) => void>();
  #max: number;
  #closed = false;
  #shared: ApprovalBus | undefined;
  /** Questions asked on other replicas, as their notices told. */
  #remote = new Map<string, PendingApproval>();
  #joined: Promise<() => Promise<void>> | undefined;
  /** Each local question's row being written: its withdrawal or answer goes to the store after it. */
  #asking = new Map<string, Promise<void>>();
  /** Questions of other replicas answered or withdrawn lately, so a late read does not list them again. */
  #gone = new Set<string>();

  /**
   * @param options The bound on pending approvals.
   * @throws {RangeError} When `maxPending` is not a whole number of at least 1.
   */
  constructor(options: OperatorApprovalsOptions = {}) {
    const max = options.maxPending ?? DEFAULT_MAX_PENDING_APPROVALS;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(
        `Cannot use operator approvals: maxPending must be a whole number >= 1, got ${max}`,
      );
    }
    this.#max = max;
    this.#shared = options.shared;
    if (this.#shared !== undefined) this.#joined = this.#join(this.#shared);
  }

  /**
   * Resolves once the shared questions are loaded and notices heard (at once without `shared`).
   *
   * @returns Resolves when ready; a store failure is logged, not thrown.
   */
  async ready(): Promise<void> {
    await this.#joined?.catch(() => {});
  }

  async #join(bus: ApprovalBus): Promise<() => Promise<void>> {
    try {
      const stop = await bus.listen((notice) => void this.#hear(bus, notice));
      for (const approval of await bus.pending()) {
        if (!this.#pending.has(approval.id)) this.#remote.set(approval.id, approval);
      }
      return stop;
    } catch (error) {
      log.error("Cannot share approvals through the state store: {message}", {
        message: (error as Error).message,
      });
      throw error;
    }
  }

  async #hear(bus: ApprovalBus, notice: ApprovalNotice): Promise<void> {
    if (notice.origin === bus.origin || this.#closed) return;
    if (notice.type === "added") {
      const approval = await bus.get(notice.id).catch(() => undefined);
      if (approval === undefined || this.#pending.has(notice.id)) return;
      // Answered or withdrawn while it was being read: its notice came first.
      if (this.#gone.has(notice.id)) return;
      this.#remote.set(notice.id, approval);
      this.#emit({ type: "added", approval });
    } else if (notice.type === "withdrawn") {
      this.#markGone(notice.id);
      if (this.#remote.delete(notice.id)) this.#emit({ type: "withdrawn", id: notice.id });
    } else {
      this.#markGone(notice.id);
      const pending = this.#pending.get(notice.id);
      const { approved, answeredBy, reason } = notice;
      if (pending !== undefined) {
        this.#asking.delete(notice.id);
        this.#settle(notice.id, pending, approved, answeredBy, reason);
      } else if (this.#remote.delete(notice.id)) {
        this.#emit({
          type: "answered",
          id: notice.id,
          approved,
          answeredBy,
          ...(reason === undefined ? {} : { reason }),
        });
      }
    }
  }

  /** How many approvals are pending. */
  get size(): number {
    return this.#pending.size;
  }

  /** The most that may be pending. */
  get maxPending(): number {
    return this.#max;
  }

  /**
   * The approver to give the orchestrator (a bound function): adds the call to the pending set and waits for an
   * operator's answer. The gate's deadline (`approvalTimeoutMs`) or the task's end aborts `request.signal`, which
   * withdraws the question. Over `maxPending` the call is refused at once.
   *
   * @param request The call waiting for approval.
   * @returns The operator's answer, with who answered.
   */
  readonly approve: Approver = (request: ApprovalRequest): Promise<ApprovalAnswer> => {
    if (this.#closed) {
      return Promise.resolve({ approved: false, reason: "the daemon is shutting down" });
    }
    if (this.#pending.size >= this.#max) {
      return Promise.resolve({
        approved: false,
        reason: `no operator can be asked: ${this.#max} approval${
          this.#max === 1 ? " is" : "s are"
        } pending (limit "approvals.maxPending")`,
      });
    }
    if (request.signal.aborted) {
      return Promise.resolve({ approved: false, reason: "the question was withdrawn" });
    }
    const id = crypto.randomUUID();
    const approval: PendingApproval = {
      id,
      server: request.server,
      tool: request.tool,
      args: request.restoredArgs ?? request.args,
      ...(request.placeholders === undefined ? {} : { placeholders: request.placeholders }),
      taskId: request.taskId,
      ...(request.session === undefined ? {} : { session: request.session }),
      ...(request.principal === undefined ? {} : { principal: request.principal }),
      rule: request.rule,
      askedAt: new Date().toISOString(),
    };
    const { promise, resolve } = Promise.withResolvers<ApprovalAnswer>();
    const onAbort = () => {
      if (!this.#pending.delete(id)) return;
      this.#afterAsked(id, (bus) => bus.withdraw(id));
      this.#emit({ type: "withdrawn", id });
      resolve({ approved: false, reason: "the question was withdrawn" });
    };
    request.signal.addEventListener("abort", onAbort, { once: true });
    this.#pending.set(id, {
      approval,
      settle: (answer) => {
        request.signal.removeEventListener("abort", onAbort);
        resolve(answer);
      },
    });
    this.#emit({ type: "added", approval });
    const shared = this.#shared?.ask(approval).catch((error) =>
      log.warn("Cannot share approval {id}: {message}", { id, message: (error as Error).message })
    );
    if (shared !== undefined) this.#asking.set(id, shared);
    return promise;
  };

  /**
   * The pending approvals, oldest first: this replica's, and with `shared` every other replica's.
   *
   * @returns A copy of each.
   */
  list(): PendingApproval[] {
    const all = [...this.#pending.values()].map((p) => ({ ...p.approval }));
    all.push(...[...this.#remote.values()].map((a) => ({ ...a })));
    return all.sort((a, b) => a.askedAt.localeCompare(b.askedAt));
  }

  /**
   * Answers a pending approval wherever it was asked: here (as {@linkcode OperatorApprovals.answer}), or with
   * `shared` on another replica, whose waiting task gets the answer; the first answer wins.
   *
   * @param id The approval's id.
   * @param answer Approve or not, and why.
   * @param answeredBy The principal id of the operator who answered.
   * @returns `false` when no such approval is pending anywhere.
   * @throws {TypeError} As {@linkcode OperatorApprovals.answer}.
   * @throws {SelfApprovalError} As {@linkcode OperatorApprovals.answer}.
   */
  async decide(id: string, answer: OperatorAnswer, answeredBy: string): Promise<boolean> {
    const remote = this.#remote.get(id);
    if (remote === undefined || this.#shared === undefined) {
      return this.answer(id, answer, answeredBy);
    }
    checkAnswer(id, answer, answeredBy, remote.principal);
    const reason = answer.reason?.slice(0, 500);
    const first = await this.#shared.answer(id, {
      approved: answer.approve,
      answeredBy,
      ...(reason === undefined ? {} : { reason }),
    });
    if (this.#remote.delete(id)) {
      this.#emit({
        type: "answered",
        id,
        approved: answer.approve,
        answeredBy,
        ...(reason === undefined ? {} : { reason }),
      });
    }
    return first;
  }

  /**
   * Answers one pending approval.
   *
   * @param id The approval's id.
   * @param answer Approve or not, and why.
   * @param answeredBy The principal id of the operator who answered (recorded with the call and in the audit).
   * @returns `false` when no such approval is pending (answered already, withdrawn, or never asked).
   * @throws {TypeError} When `answer.approve` is not a boolean or `answer.reason` not a string.
   * @throws {SelfApprovalError} When `answeredBy` is the principal whose task made the call (the shared
   * `DEFAULT_PRINCIPAL` of a single-token daemon excepted).
   */
  answer(id: string, answer: OperatorAnswer, answeredBy: string): boolean {
    const pending = this.#pending.get(id);
    checkAnswer(id, answer, answeredBy, pending?.approval.principal);
    if (pending === undefined) return false;
    const reason = answer.reason?.slice(0, 500);
    this.#settle(id, pending, answer.approve, answeredBy, reason);
    this.#afterAsked(id, (bus) =>
      bus.answer(id, {
        approved: answer.approve,
        answeredBy,
        ...(reason === undefined ? {} : { reason }),
      }));
    return true;
  }

  #markGone(id: string): void {
    if (this.#gone.size >= 1_000) this.#gone.clear();
    this.#gone.add(id);
  }

  #afterAsked(id: string, then: (bus: ApprovalBus) => Promise<unknown>): void {
    const bus = this.#shared;
    if (bus === undefined) return;
    const asked = this.#asking.get(id) ?? Promise.resolve();
    this.#asking.delete(id);
    void asked.then(() => then(bus)).catch(() => {});
  }

  #settle(
    id: string,
    pending: Pending,
    approve: boolean,
    answeredBy: string,
    reason: string | undefined,
  ): void {
    this.#pending.delete(id);
    pending.settle(
      approve ? { approved: true, answeredBy } : {
        approved: false,
        answeredBy,
        reason: `operator "${answeredBy}" refused it${reason ? `: ${reason}` : ""}`,
      },
    );
    this.#emit({
      type: "answered",
      id,
      approved: approve,
      answeredBy,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /**
   * Listens for added, answered and withdrawn approvals.
   *
   * @param listener Called with each event; its throws are ignored.
   * @returns The function that stops listening.
   */
  subscribe(listener: (event: OperatorApprovalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Refuses later questions and tells listeners the end came (event streams close). Pending ones end with their tasks. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#joined?.then((stop) => stop()).catch(() => {});
    this.#emit({ type: "closed" });
    this.#listeners.clear();
  }

  #emit(event: OperatorApprovalEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener that fails (a closed stream) must not stop the others.
      }
    }
  }
}
