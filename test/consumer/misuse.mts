// Misuse a user under `strict` must see refused by dist/index.d.ts (SPEC *Types*), and
// the forms next to it that must keep compiling. Each `@ts-expect-error` fails the
// declaration check if the line it covers compiles.
import {
  asCompleted,
  first,
  type GatherInput,
  type GatherResult,
  type GatherTasks,
  gather,
  gatherSettled,
  isolate,
  type Task,
  TaskGroup,
} from 'p-gather';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;
declare function loadUser(id: string): Promise<User>;
declare function loadUserWithSignal(userId: string, signal?: AbortSignal): Promise<User>;
declare function loadAll(): Promise<Array<() => Promise<User>>>;
declare function pages(): AsyncGenerator<() => Promise<string>>;
const group = new TaskGroup();

// A function whose first parameter cannot take the signal, in every function.
// @ts-expect-error loadUser(id: string) would receive the signal as its id
void gather({ user: loadUser });
// @ts-expect-error the signal is the second parameter
void gather([loadUserWithSignal]);
// @ts-expect-error in a Map
void gather(new Map([['user', loadUser]]));
// @ts-expect-error loadUser(id: string) would receive the signal as its id
void gatherSettled({ user: loadUser });
// @ts-expect-error loadUser(id: string) would receive the signal as its id
void first([fetchUser, loadUser]);
// @ts-expect-error loadUser(id: string) would receive the signal as its id
asCompleted({ user: loadUser });
// @ts-expect-error loadUser(id: string) would receive the signal as its id
isolate(loadUser);
// @ts-expect-error loadUser(id: string) would receive the signal as its id
void group.spawn(loadUser);

// A promise (a forgotten await) or an async iterable as tasks.
// @ts-expect-error await it first
void gather(loadAll());
// @ts-expect-error await it first
void gatherSettled(loadAll());
// @ts-expect-error await it first
void first(loadAll());
// @ts-expect-error await it first
asCompleted(loadAll());
// @ts-expect-error an async iterable: map() reads one
void gather(pages());
// @ts-expect-error an async iterable: map() reads one
void gatherSettled(pages());
// @ts-expect-error an async iterable: map() reads one
void first(pages());
// @ts-expect-error an async iterable: map() reads one
asCompleted(pages());

// What keeps compiling.
interface Loaders {
  a: () => Promise<number>;
}
const loaders: Loaders = { a: async () => 1 };
const fromInterface: { a: number } = await gather(loaders);
const optional = (signal?: AbortSignal): number => (signal?.aborted ? 0 : 1);
const [one, user, two, flag]: [number, User, number, boolean] = await gather([
  () => 1,
  fetchUser,
  optional,
  (signal) => signal.aborted,
]);
const fromMap: Map<string, boolean> = await gather(
  new Map([['a', (signal: AbortSignal) => signal.aborted]]),
);
const inferred: Map<string, boolean> = await gather(new Map([['a', (signal) => signal.aborted]]));
const mapped: string[] = await gather(['a'].map((id) => (signal) => `${id}${signal.aborted}`));
const isolated: (User | null)[] = await gather([isolate(fetchUser, { fallback: null })]);
function gatherLogged<T extends GatherInput>(tasks: GatherTasks<T>): Promise<GatherResult<T>> {
  return gather(tasks);
}
const wrapped: [number] = await gatherLogged([async (signal) => (signal.aborted ? 0 : 1)]);
// @ts-expect-error a wrapper typed GatherTasks<T> refuses what gather refuses
void gatherLogged({ user: loadUser });
// Generic helpers compile as before: while the input holds type parameters, nothing is refused.
function passOn<T extends GatherInput>(tasks: T): Promise<GatherResult<T>> {
  return gather(tasks);
}
function wide<U>(tasks: Task<U>[]) {
  return gather(tasks);
}
const passed: [number] = await passOn([1]);
const widened: number[] = await wide([async () => 1]);

export {
  flag,
  fromInterface,
  fromMap,
  inferred,
  isolated,
  mapped,
  one,
  passed,
  two,
  user,
  widened,
  wrapped,
};
