/**
 * The value a task settles with: a task function's awaited return value, a
 * promise's awaited value, or a plain value itself.
 *
 * @example
 * ```ts
 * type User = TaskResult<(signal: AbortSignal) => Promise<{ id: string }>>; // { id: string }
 * ```
 */
export type TaskResult<T> = T extends (...args: never) => infer R ? Awaited<R> : Awaited<T>;

/**
 * What `first` resolves with for an input of type `T`: the result type of any one
 * of its tasks.
 *
 * @example
 * ```ts
 * type R = FirstResult<[() => Promise<number>, Promise<string>]>; // number | string
 * ```
 */
export type FirstResult<T> = NotInferredFrom<FirstResultOf<T>>;

type FirstResultOf<T> =
  T extends ReadonlyMap<unknown, infer V>
    ? TaskResult<V>
    : T extends readonly unknown[]
      ? TaskResult<T[number]>
      : T extends Iterable<infer V>
        ? TaskResult<V>
        : TaskResult<T[keyof T]>;

/**
 * `T`, in a form the compiler cannot infer type arguments from (what TypeScript
 * 5.4's `NoInfer` does, written so TypeScript 5.2 reads it too).
 *
 * Why: in `const [a, b]: [number, string] = await gather([(signal) => …, …])` the
 * annotation would otherwise be taken as the input's type, and the inline task
 * function would lose its `AbortSignal` parameter type.
 */
type NotInferredFrom<T> = [T][T extends unknown ? 0 : never];

/**
 * What `gather` resolves with for an input of type `T`: a tuple or array of
 * results for positional input, an object with the same keys for keyed input, a
 * `Map` with the same keys for a `Map`.
 *
 * A keyed result has a `null` prototype: `String(result)` and
 * `result.hasOwnProperty` throw; use `Object.hasOwn(result, key)`.
 *
 * @example
 * ```ts
 * type R = GatherResult<{ user: () => Promise<string>; count: number }>; // { user: string; count: number }
 * ```
 */
export type GatherResult<T> = NotInferredFrom<GatherResultOf<T>>;

type GatherResultOf<T> =
  T extends ReadonlyMap<infer K, infer V>
    ? Map<K, TaskResult<V>>
    : T extends readonly unknown[]
      ? { -readonly [P in keyof T]: TaskResult<T[P]> }
      : T extends Iterable<infer V>
        ? TaskResult<V>[]
        : { -readonly [P in keyof T]: TaskResult<T[P]> };

/**
 * What `gatherSettled` resolves with for an input of type `T`: the same shape as
 * {@link GatherResult}, with a `PromiseSettledResult` in every slot.
 *
 * @example
 * ```ts
 * type R = GatherSettledResult<[() => Promise<number>]>; // [PromiseSettledResult<number>]
 * ```
 */
export type GatherSettledResult<T> = NotInferredFrom<GatherSettledResultOf<T>>;

type GatherSettledResultOf<T> =
  T extends ReadonlyMap<infer K, infer V>
    ? Map<K, PromiseSettledResult<TaskResult<V>>>
    : T extends readonly unknown[]
      ? { -readonly [P in keyof T]: PromiseSettledResult<TaskResult<T[P]>> }
      : T extends Iterable<infer V>
        ? PromiseSettledResult<TaskResult<V>>[]
        : { -readonly [P in keyof T]: PromiseSettledResult<TaskResult<T[P]>> };

/**
 * One outcome as `asCompleted` delivers it: the slot's `key` with a
 * `PromiseSettledResult`'s fields, discriminated by `status`. For keyed input the
 * key and the value narrow together: after `entry.key === 'user' && entry.status
 * === 'fulfilled'`, `entry.value` is the `user` task's result.
 *
 * @example
 * ```ts
 * type E = CompletedEntry<'user', string>;
 * // { key: 'user'; status: 'fulfilled'; value: string } | { key: 'user'; status: 'rejected'; reason: unknown }
 * ```
 */
export type CompletedEntry<K, V> =
  | {
      /** The slot's index (positional input) or key (object, `Map`). */
      key: K;
      /** The task fulfilled. */
      status: 'fulfilled';
      /** What it fulfilled with. */
      value: V;
    }
  | {
      /** The slot's index (positional input) or key (object, `Map`). */
      key: K;
      /** The task rejected, or was cut short by the caller's abort or the deadline. */
      status: 'rejected';
      /** Why: the task's own failure, or the abort reason. */
      reason: unknown;
    };

/**
 * What `asCompleted` yields for an input of type `T`: a {@link CompletedEntry} per
 * slot — keyed by its index (`number`) for positional input, by its key for an
 * object (a number key arrives as a string, and is typed so) or a `Map`.
 *
 * @example
 * ```ts
 * type E = AsCompletedEntry<{ user: () => Promise<string> }>;
 * // CompletedEntry<'user', string>
 * ```
 */
export type AsCompletedEntry<T> = NotInferredFrom<AsCompletedEntryOf<T>>;

type AsCompletedEntryOf<T> =
  T extends ReadonlyMap<infer K, infer V>
    ? CompletedEntry<K, TaskResult<V>>
    : T extends readonly unknown[]
      ? CompletedEntry<number, TaskResult<T[number]>>
      : T extends Iterable<infer V>
        ? CompletedEntry<number, TaskResult<V>>
        : { [P in keyof T]-?: CompletedEntry<KeyAsRead<P>, TaskResult<T[P]>> }[keyof T];

/** An object's key as `Reflect.ownKeys` reads it: a number key is a string. */
type KeyAsRead<P> = P extends number ? `${P}` : P;

/**
 * The iterator `asCompleted` returns: its own async iterable, used once (a second
 * `for await` continues the same iteration). `return()` — what `break` calls —
 * aborts the tasks still running.
 *
 * @example
 * ```ts
 * const entries: AsCompletedIterator<CompletedEntry<number, string>> = asCompleted(['a', 'b']);
 * const { value } = await entries.next();
 * await entries.return();
 * ```
 */
export interface AsCompletedIterator<Entry> extends AsyncIterableIterator<Entry> {
  /** The next entry in completion order; `{ done: true }` once every entry is taken or the loop was left. */
  next(): Promise<IteratorResult<Entry, undefined>>;
  /** Leaves the loop: the tasks still running are aborted, and nothing more starts. */
  return(): Promise<IteratorReturnResult<undefined>>;
  /** The iterator itself: a second `for await` continues the same iteration. */
  [Symbol.asyncIterator](): AsCompletedIterator<Entry>;
}
