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
