import { describeValue } from './describe';
import { Group } from './group';
import type { TaskGroupOptions } from './option-types';
import { readOptions } from './options';

declare global {
  // What `await using` calls. Declared here too so that the published types
  // compile where the `esnext.disposable` lib is not loaded; the method itself
  // exists only where the runtime has the symbol.
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}

/** `[Symbol.asyncDispose]` is defined on the prototype at the first construction. */
let disposeDefined = false;

/**
 * Structured concurrency for work that is not known up front — `asyncio.TaskGroup`
 * and Go's `errgroup` for JavaScript. Spawned task functions share the group's
 * signal; the first failure aborts it, and `join()` rejects with that failure only
 * after every started task has settled.
 *
 * Use it with `await using` (the group is joined when the block ends), or call
 * `join()` yourself. Options are those of {@link gather} but `waitForCleanup`: a
 * group always waits. The `timeout` counts from construction.
 *
 * @example
 * ```ts
 * await using group = new TaskGroup({ concurrency: 4, timeout: 10_000 });
 * const user = group.spawn((signal) => fetchUser(signal)); // Promise<User>
 * group.spawn((signal) => warmCache(signal));
 * await group.join();
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below types the dispose method that defineDispose adds only where `Symbol.asyncDispose` exists.
export class TaskGroup {
  readonly #group: Group;

  /**
   * @param options - `signal` to cancel the group from outside, `timeout` in
   * milliseconds from now, `concurrency` or `limit` to bound how many spawned task
   * functions run at once.
   * @throws TypeError or RangeError naming the option, for bad options.
   */
  constructor(options?: TaskGroupOptions) {
    this.#group = new Group(readOptions(options, false));
    if (!disposeDefined) TaskGroup.#defineDispose();
  }

  /**
   * The group's signal, handed to every spawned task function: for work that
   * wants to watch it. It aborts on the first failure (an `"AbortError"` whose
   * `cause` is the failure), on `abort()`, the caller's abort or the deadline.
   *
   * @example
   * ```ts
   * const group = new TaskGroup();
   * group.signal.addEventListener('abort', () => spinner.stop());
   * ```
   */
  get signal(): AbortSignal {
    return this.#group.signal;
  }

  /**
   * Calls `task` with the group's signal — now, or when the bound lets it — and
   * returns a promise of its result. That promise is never reported as an
   * unhandled rejection if you ignore it: the group reports the failure.
   *
   * After the group failed or was aborted, nothing is called and the promise
   * rejects with the group's reason. Once the group is closed (`join()` called and
   * nothing pending), `spawn` throws: spawn follow-up work from inside a task, not
   * from a `.then` of its promise.
   *
   * @throws TypeError when `task` is not a function, or the group is closed.
   *
   * @example
   * ```ts
   * const group = new TaskGroup();
   * const page = group.spawn((signal) => fetch('/page', { signal }).then((r) => r.text()));
   * await group.join();
   * render(await page);
   * ```
   */
  spawn<R>(task: (signal: AbortSignal) => R): Promise<Awaited<R>> {
    if (typeof task !== 'function') {
      const promiseNote =
        typeof (task as { then?: unknown } | null)?.then === 'function'
          ? ' (a promise is already running and cannot receive the group’s signal: pass (signal) => …)'
          : '';
      throw new TypeError(
        `Expected \`task\` to be a task function (signal) => value, got ${describeValue(task)}${promiseNote}`,
      );
    }
    const group = this.#group;
    if (group.closed) {
      throw new TypeError(
        'Cannot spawn on a closed TaskGroup: join() was called and every task has settled; spawn follow-up work from inside a running task',
      );
    }
    return group.spawn(task) as Promise<Awaited<R>>;
  }

  /**
   * Resolves once every spawned task has fulfilled — tasks spawned while joining
   * included — or rejects with the group's first failure (or abort reason) once
   * every started task has settled. Every call returns the same promise; once it
   * is called and nothing is pending, the group is closed.
   *
   * @example
   * ```ts
   * const group = new TaskGroup();
   * group.spawn(async (signal) => crawl('/', signal));
   * await group.join();
   * ```
   */
  join(): Promise<void> {
    return this.#group.join() as Promise<void>;
  }

  /**
   * Aborts the group: its signal aborts with `reason` (with no reason, an
   * `"AbortError"`, as `AbortController.abort()`), queued tasks are never called,
   * and `join()` rejects with that reason once the started tasks have settled.
   * Does nothing after a failure, or once the group is closed.
   *
   * @example
   * ```ts
   * await using group = new TaskGroup();
   * try {
   *   group.spawn((signal) => poll(signal));
   *   await doTheWork();
   * } catch (error) {
   *   group.abort(error); // the block failed: stop the tasks too
   *   throw error;
   * }
   * ```
   */
  abort(reason?: unknown): void {
    this.#group.abortGroup(reason);
  }

  /**
   * Defines `[Symbol.asyncDispose]` on the prototype, where the runtime has the
   * symbol. Why at the first construction, not in the class body: a computed key
   * would name the method "undefined" where the symbol is missing, and code run at
   * module load would keep `TaskGroup` in every bundle that imports only `gather`.
   */
  static #defineDispose(): void {
    disposeDefined = true;
    if (typeof Symbol.asyncDispose !== 'symbol') return;
    Object.defineProperty(TaskGroup.prototype, Symbol.asyncDispose, {
      configurable: true,
      writable: true,
      value: function asyncDispose(this: TaskGroup): Promise<void> {
        return this.#dispose();
      },
    });
  }

  /**
   * Waits for every started task to settle, then rejects with a spawned task's
   * failure, the caller's abort reason or the deadline — not with what `join()`
   * already handed over, nor with the reason of `group.abort(reason)`
   * (test/task-group.test.ts, "TaskGroup 6").
   */
  async #dispose(): Promise<void> {
    const group = this.#group;
    // Its outcome was already handed to whoever called `join()`.
    const joinedAlready = group.closed && group.joinSettled;
    try {
      await group.join();
    } catch (error) {
      if (joinedAlready || group.abortedByGroup) return;
      throw error;
    }
  }
}

export interface TaskGroup {
  /**
   * What `await using` calls when the block ends: joins the group and waits for
   * every started task to settle, then rejects only with a spawned task's failure,
   * the caller's abort reason or the deadline's `"TimeoutError"`. It resolves if
   * `join()` had already settled, or if the group was ended by `abort(reason)` —
   * that reason is already in your hands. Defined where `Symbol.asyncDispose`
   * exists.
   *
   * @example
   * ```ts
   * {
   *   await using group = new TaskGroup();
   *   group.spawn((signal) => sendEmail(signal));
   * } // waits here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void>;
}
