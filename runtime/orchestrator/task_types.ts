/**
 * `TaskTypes`: the type side of running tasks, in one place for the orchestrator: agent code checked before it
 * runs (the `typecheck` option, {@linkcode TaskTypecheck}) and output types learnt from results (the
 * `inferOutputTypes` option, {@linkcode OutputTypes}).
 *
 * @module
 */

import { TaskTypecheck } from "../typecheck/mod.ts";
import type { OrchestratorOptions } from "./options.ts";
import { OutputTypes, type OutputTypesContext } from "./output_types.ts";
import type { TaskRunContext } from "./task_runner.ts";

/** The typecheck and output inference of an orchestrator. */
export class TaskTypes implements AsyncDisposable {
  #typecheck: TaskTypecheck | undefined;
  #outputs: OutputTypes | undefined;

  private constructor(typecheck: TaskTypecheck | undefined, outputs: OutputTypes | undefined) {
    this.#typecheck = typecheck;
    this.#outputs = outputs;
  }

  /**
   * Starts what the options ask for: reads earlier inferred outputs, and starts the checker in the background (so
   * that the first task's check is warm).
   *
   * @param options The orchestrator's options.
   * @param context The `servers/` and `skills/` folders, the connections and the catalog.
   * @returns The ready instance.
   */
  static async start(
    options: OrchestratorOptions,
    context: OutputTypesContext & { skillsDir: string },
  ): Promise<TaskTypes> {
    const outputs = options.inferOutputTypes === false
      ? undefined
      : await OutputTypes.start(context);
    const mode = options.typecheck ?? "off";
    const typecheck = mode === "off" ? undefined : new TaskTypecheck(mode, context);
    void typecheck?.warm();
    return new TaskTypes(typecheck, outputs);
  }

  /** Whether output types are inferred (generated modules then use `_inferred.json`). */
  get inferring(): boolean {
    return this.#outputs !== undefined;
  }

  /** What a task run takes from it: the check before the run, the hook on each result. */
  runContext(): Pick<TaskRunContext, "typecheck" | "onResult"> {
    return {
      ...(this.#typecheck === undefined ? {} : { typecheck: this.#typecheck }),
      ...(this.#outputs === undefined ? {} : { onResult: this.#outputs.onResult }),
    };
  }

  /** Waits for pending inferences and stops the checker. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#outputs?.settled();
    await this.#typecheck?.[Symbol.asyncDispose]();
  }
}
