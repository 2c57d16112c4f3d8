/**
 * A task function: p-gather calls it once, with the call's `AbortSignal`, and
 * awaits what it returns. Honour the signal to stop work nobody needs any more.
 *
 * @example
 * ```ts
 * const loadUser: TaskFunction<User> = (signal) =>
 *   fetch('/api/user', { signal }).then((response) => response.json());
 * ```
 */
export type TaskFunction<T = unknown> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * What `gather` accepts in each slot: a {@link TaskFunction}, which p-gather starts
 * and can cancel, or any other value — a promise, a thenable or a plain value —
 * which is already running and is only awaited, exactly as `Promise.all` awaits it.
 *
 * A function is always taken as a task function; to gather a function *as a
 * value*, wrap it: `() => fn`.
 *
 * @example
 * ```ts
 * const tasks: Task<number>[] = [1, Promise.resolve(2), async (signal) => 3];
 * ```
 */
export type Task<T = unknown> = TaskFunction<T> | PromiseLike<T> | T;

/**
 * Anything that may stand in a slot. The function member is what gives an inline
 * `(signal) => …` its `AbortSignal` type without an annotation.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is "any value but null and undefined", which is exactly a task that is not a function.
export type AnyTask = TaskFunction<unknown> | {} | null | undefined;

/**
 * What `gather` and `gatherSettled` accept: an iterable of tasks (array, Set,
 * generator…), a plain object of tasks, or a `Map` of tasks.
 *
 * Why this union: each member gives an inline `(signal) => …` its `AbortSignal`
 * type in one of the ways users write input — array literal, `xs.map(…)`, object
 * literal — while `object` admits keyed input typed by an interface.
 *
 * @example
 * ```ts
 * const input: GatherInput = { user: (signal) => fetchUser(signal), count: 1 };
 * ```
 */
export type GatherInput =
  | readonly AnyTask[]
  | []
  | Iterable<AnyTask>
  | { readonly [key: PropertyKey]: AnyTask }
  | object;

/**
 * What `gather`, `gatherSettled`, `first` and `asCompleted` accept as `tasks` for an
 * input of type `T`: `T` itself when it is a collection of tasks, and otherwise `T`
 * joined with a type that says what is wrong, so that the call is a type error
 * that points at the problem:
 *
 * - a function in a slot whose first parameter cannot take an `AbortSignal`
 *   (`loadUser(id: string)`: p-gather would call it with the signal) — the error
 *   names the slot and says `Types of parameters 'id' and 'signal' are
 *   incompatible`; a function of no parameters, `(signal) => …` and
 *   `(signal?: AbortSignal) => …` are task functions;
 * - a promise or other thenable as `tasks` (a forgotten `await`);
 * - an async iterable as `tasks` (`map` and `mapIterable` read one);
 * - a function as `tasks` (put it in an array).
 *
 * A `Map` whose values are all task functions is accepted as it is, which is what
 * gives `new Map([[key, (signal) => …]])` its `AbortSignal` type. While the input
 * still holds type parameters (a generic wrapper that passes its `T` or a
 * `Task<U>[]` on), nothing can be decided and the input is accepted, as before.
 *
 * @example
 * ```ts
 * const tasks: GatherTasks<{ user: (signal: AbortSignal) => Promise<User> }> = { user: fetchUser };
 * ```
 */
export type GatherTasks<T> = [TasksVerdict<T>] extends [false]
  ? T & TasksProblem<T>
  : T | ReadonlyMap<unknown, TaskFunction<unknown>>;

/**
 * What `isolate` accepts as `task` besides an inline task function: a promise or
 * any other value, or a function that can take the signal as its first argument.
 * A function that cannot (`loadUser(id: string)`) is a type error, as it is in
 * `gather` and `TaskGroup.spawn`.
 *
 * @example
 * ```ts
 * const task: IsolateTask<Promise<number>> = Promise.resolve(1);
 * ```
 */
export type IsolateTask<T> = TaskVerdict<T> extends false ? T & TaskFunction<unknown> : T;

/**
 * `true` when `T` is a collection of tasks, `false` when it is not.
 *
 * Why {@link GatherTasks} is shaped `[TasksVerdict<T>] extends [false] ? T & … : T
 * | …`, found by trying the others:
 * - The parameter is `T` in the branch that passes, so an inline `(signal) => …`
 *   keeps its `AbortSignal` type from the constraint of `T` in every place SPEC
 *   *Types* lists, and also when the call is itself the argument of a generic
 *   call (`expectTypeOf(gather([1, (signal) => …]))`). A mapped type over `T` in
 *   the parameter (`T & { [K in keyof T]: … }`) left `signal` an implicit `any`
 *   there; so the bad slots are named by an object type with a constant
 *   template (`{ user: TaskFunction }`), which also makes the error read
 *   `Types of parameters 'id' and 'signal' are incompatible` at the slot.
 * - The verdict is wrapped in a tuple and the failing branch comes first: while
 *   `T` holds type parameters the check is undecided, and TypeScript then
 *   relates the argument only to the branches the check could take with those
 *   parameters unknown (the "wildcard"), which this verdict folds to `true`. So
 *   a generic wrapper's `gather(tasks)` compiles as it did before the check.
 *   With `[…] extends [true] ? T : …`, or a check distributive over `T`, it is
 *   refused.
 */
type TasksVerdict<T> = [TasksProblem<T>] extends [never] ? true : false;

/**
 * What is wrong with `T` as `tasks`, or `never`. Checked in the order in which
 * p-gather reads its input: a `Map`, an iterable, then a thenable, an async
 * iterable, and last a plain object.
 */
type TasksProblem<T> = T extends (...args: never) => unknown
  ? FunctionIsNotACollection
  : T extends ReadonlyMap<unknown, infer V>
    ? TaskVerdict<V> extends true
      ? never
      : ReadonlyMap<unknown, TaskFunction<unknown>>
    : T extends readonly unknown[]
      ? SlotsTakingTheSignal<NotTaskIndexes<T>>
      : T extends Iterable<infer V>
        ? TaskVerdict<V> extends true
          ? never
          : Iterable<TaskFunction<unknown>>
        : IsThenable<T> extends true
          ? PromiseIsNotACollection
          : T extends AsyncIterable<unknown>
            ? AsyncIterableIsNotACollection
            : SlotsTakingTheSignal<NotTaskKeys<T>>;

/**
 * `true` when a slot of type `V` is a task: a value, or a function that can take
 * the signal as its first argument (`(signal) => …`, `(signal?: AbortSignal) =>
 * …`, `() => …`). A union is a task when each function in it is.
 */
type TaskVerdict<V> = [Extract<V, (...args: never) => unknown>] extends [TaskFunction<unknown>]
  ? true
  : false;

/** The keys of the slots of an object that hold a function that cannot take the signal. */
type NotTaskKeys<T> = { [K in keyof T]-?: TaskVerdict<T[K]> extends true ? never : K }[keyof T];

/** The indexes of the slots of an array or tuple that hold a function that cannot take the signal. */
type NotTaskIndexes<T extends readonly unknown[]> = {
  [K in keyof T]-?: TaskVerdict<T[K]> extends true ? never : K;
}[number];

/**
 * The named slots must be task functions: `never` when none is named, so that the
 * input passes. The error then reads `Types of parameters 'id' and 'signal' are
 * incompatible` at the slot.
 */
type SlotsTakingTheSignal<K extends PropertyKey> = [K] extends [never]
  ? never
  : { [P in K]: TaskFunction<unknown> };

/**
 * `true` for anything with a `then` method whose first parameter takes a callback,
 * as `Promise.resolve` would adopt it. A keyed task named `then` that takes the
 * signal, or no argument at all, is not one: `gather({ then: () => … })` is keyed
 * input (SPEC *gather* 1), and so is a record with an index signature.
 */
type IsThenable<T> = string extends keyof T
  ? false
  : T extends { then(...args: infer A): unknown }
    ? A extends []
      ? false
      : // A callback taking `unknown` fits whatever value a thenable's callback passes.
        ((value: unknown) => unknown) extends A[0]
        ? true
        : false
    : false;

/** What the type error says when `tasks` is a promise or another thenable. */
interface PromiseIsNotACollection {
  /** A promise cannot be read as a collection: `await` it first (a forgotten `await`?). */
  'tasks is a promise, not a collection of tasks: await it first': true;
}

/** What the type error says when `tasks` is an async iterable. */
interface AsyncIterableIsNotACollection {
  /** An async iterable is not read by these functions: `map` and `mapIterable` read one lazily. */
  'tasks is an async iterable: use map(source, mapper) or mapIterable, which read it lazily': true;
}

/** What the type error says when `tasks` is a single function. */
interface FunctionIsNotACollection {
  /** One task function is not a collection: put it in an array, or use `TaskGroup.spawn`. */
  'tasks is a function, not a collection of tasks: put it in an array': true;
}

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

/**
 * Anything that behaves like an `AbortSignal` for p-gather's purpose: a boolean
 * `aborted`, a `reason` read when it aborts, and `addEventListener` /
 * `removeEventListener` for the `'abort'` event. Signals from other realms,
 * jsdom and polyfills fit.
 *
 * @example
 * ```ts
 * const signal: AbortSignalLike = new AbortController().signal;
 * ```
 */
export interface AbortSignalLike {
  /** Whether the signal has aborted; read when the call starts. */
  readonly aborted: boolean;
  /** Why it aborted: becomes the call's rejection reason, the same object. */
  readonly reason?: unknown;
  /** p-gather adds at most one `'abort'` listener to a signal, however many calls link to it. */
  addEventListener(type: 'abort', listener: () => void): void;
  /** The listener is removed when the last call linked to the signal ends (with `waitForCleanup`, before it settles). */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A limiter shared by several calls — any function of `p-limit`'s shape. A
 * `p-limit` instance fits, and so do `queue.add.bind(queue)` of `p-queue` and
 * `limiter.schedule.bind(limiter)` of Bottleneck.
 *
 * @example
 * ```ts
 * import pLimit from 'p-limit';
 * const limit: Limiter = pLimit(4);
 * ```
 */
export type Limiter = (fn: () => Promise<void>) => PromiseLike<unknown>;

/**
 * Options of `gather` and `gatherSettled`. Every option may be `undefined`, which
 * means absent.
 *
 * @example
 * ```ts
 * const options: GatherOptions = { signal: controller.signal, timeout: 5_000, concurrency: 4 };
 * ```
 */
export interface GatherOptions {
  /**
   * Cancels the call from outside. When it aborts, no further task function is
   * called, the call's own signal is aborted with the same reason, and `gather`
   * rejects with it. `null` means none. The call's signal is never this signal:
   * a failing task never aborts the caller's signal.
   */
  signal?: AbortSignalLike | null | undefined;
  /**
   * Milliseconds for the whole call, time spent queued behind a limit included.
   * On expiry the call's signal is aborted with a `DOMException` named
   * `"TimeoutError"` and `gather` rejects with it. Default `Infinity` (none).
   */
  timeout?: number | undefined;
  /**
   * After a failure or an abort, settle only once every task function that was
   * called has settled — the `asyncio.TaskGroup` / `errgroup.Wait` guarantee.
   * Promises and other values passed in are not waited for. Default `false`.
   */
  waitForCleanup?: boolean | undefined;
  /**
   * At most this many task functions of the call run at once, started in input
   * order. An integer ≥ 1, or `Infinity` (the default). Not with `limit`.
   */
  concurrency?: number | undefined;
  /**
   * A limiter shared with other calls (`pLimit(4)`): each task function starts
   * when the limiter lets it. Not with `concurrency`.
   */
  limit?: Limiter | undefined;
}

/**
 * Options of a `TaskGroup`: those of `gather` but `waitForCleanup` — a group
 * always waits for its started tasks. The `timeout` counts from construction.
 *
 * @example
 * ```ts
 * const options: TaskGroupOptions = { signal: controller.signal, concurrency: 8, timeout: 30_000 };
 * ```
 */
export type TaskGroupOptions = Omit<GatherOptions, 'waitForCleanup'>;

/**
 * Options of `isolate`.
 *
 * @example
 * ```ts
 * const options: IsolateOptions<string[]> = { fallback: [], onError: (error) => logger.warn(error) };
 * ```
 */
export interface IsolateOptions<F = undefined> {
  /**
   * The value the isolated task resolves with when the task fails. Used as a
   * value: a function is returned, not called; a thenable is adopted. Default
   * `undefined`.
   */
  fallback?: F;
  /**
   * Called with the failure before the fallback is used, and awaited. Throw or
   * reject from it to let that failure through (contain only some errors).
   */
  onError?: ((error: unknown) => unknown) | undefined;
}

/**
 * What a stream's mapper receives for a source `S`: an async iterable's items as
 * they are (as `for await` passes them), a sync iterable's items awaited.
 *
 * @example
 * ```ts
 * type A = SourceItem<AsyncIterable<Promise<number>>>; // Promise<number>
 * type B = SourceItem<Iterable<Promise<number>>>; // number
 * ```
 */
export type SourceItem<S> =
  S extends AsyncIterable<infer T> ? T : S extends Iterable<infer T> ? Awaited<T> : never;

/**
 * A stream's mapper: called per item with the call's signal and the item's index
 * in pull order (from 0). Its second parameter is the signal — not the index, as
 * in `p-map`.
 *
 * @example
 * ```ts
 * const mapper: Mapper<string, number> = async (id, signal, index) => index;
 * ```
 */
export type Mapper<T, R> = (item: T, signal: AbortSignal, index: number) => R;

/**
 * Options of `map` and `mapSettled`: those of `gather`. The deadline counts from
 * the call and covers the whole stream.
 *
 * @example
 * ```ts
 * const options: MapOptions = { concurrency: 8, timeout: 60_000 };
 * ```
 */
export type MapOptions = GatherOptions;

/**
 * Options of `mapIterable`: `map`'s, plus the order of results and the buffer.
 *
 * @example
 * ```ts
 * const options: MapIterableOptions = { concurrency: 8, order: 'completion', buffer: 16 };
 * ```
 */
export interface MapIterableOptions extends GatherOptions {
  /**
   * `'input'` (the default): results in pull order, a finished one waiting for the
   * ones before it. `'completion'`: each result as soon as it is ready.
   */
  order?: 'input' | 'completion' | undefined;
  /**
   * Most items pulled and not yet taken by the loop (running, or finished and
   * waiting): a loop that stops asking stops the pulling. An integer ≥ 1 or
   * `Infinity`; default the `concurrency`.
   */
  buffer?: number | undefined;
}

/**
 * The iterator `mapIterable` returns: its own async iterable, used once; leaving
 * the loop (`break`, `return()`, `await using` ending) aborts the running mappers
 * and closes the source.
 *
 * @example
 * ```ts
 * const results: MapIterableIterator<number> = mapIterable([1, 2], (item) => item * 2);
 * const { value } = await results.next();
 * await results.return();
 * ```
 */
export interface MapIterableIterator<R> extends AsyncIterableIterator<R> {
  /** The next result; `{ done: true }` once the stream has ended and every result is taken. */
  next(): Promise<IteratorResult<R, undefined>>;
  /** Leaves the loop: the running mappers are aborted, the source is closed, nothing more is pulled. */
  return(): Promise<IteratorReturnResult<undefined>>;
  /** The iterator itself. */
  [Symbol.asyncIterator](): MapIterableIterator<R>;
  /** As {@link return}: what `await using` calls. Defined where `Symbol.asyncDispose` exists. */
  [Symbol.asyncDispose](): Promise<void>;
}
