/**
 * A growable list whose writes never run through a prototype.
 *
 * Why: a user's accessor on `Array.prototype[0]` (or any index of
 * `Object.prototype`) is called by every write into a hole or past the end of an
 * ordinary array — `push`, `a[a.length] = x`, `new Array(n)` filled by index. Then
 * `gather([async () => 1, async () => 2])` would resolve `['x', …]` or never settle,
 * where `Promise.all` (which writes with CreateDataProperty) gives `[1, 2]`. A list
 * with a `null` prototype has no chain to consult, so each write defines an own
 * data property; it costs no more than an ordinary array (measured: 7 ns per element
 * either way, where `Object.defineProperty` per element costs 340 ns).
 *
 * The type has no methods on purpose: the list has none at run time. Append with
 * `list[list.length] = value`; iterate by index.
 * Pinned by test/prototype-writes.test.ts.
 */
export interface OwnList<T> {
  [index: number]: T;
  length: number;
}

const arrayConstructor = Array;
const construct = Reflect.construct;
const noArguments: readonly unknown[] = Object.freeze([]);

/** An empty list with a `null` prototype, optionally sized (its slots read `undefined`). */
export function ownList<T>(length = 0): OwnList<T> {
  // Made by the constructor, not by a literal: see keptLists for why.
  const list = Object.setPrototypeOf(construct(arrayConstructor, noArguments), null) as OwnList<T>;
  list.length = length;
  return list;
}

/**
 * The list as an ordinary array, in O(1): the same object given `Array.prototype`
 * back, once every slot that will ever be written has been written — so that later
 * writes land on own properties. For a list that leaves the library (a result) or
 * reaches a builtin that iterates it (`Promise.all`, `AggregateError`).
 */
export function listAsArray<T>(list: OwnList<T>): T[] {
  return Object.setPrototypeOf(list, Array.prototype) as T[];
}

/**
 * Lists whose hidden classes every call's lists share, held by the idle state
 * the module keeps (call.ts, stream-idle.ts): with them alive, a full collection cannot
 * free those classes — nor, with them, the optimised code of every call
 * (ARCHITECTURE.md, "After a full collection"). One per elements kind (small
 * integers, doubles, anything; packed and holey), with a `null` prototype and
 * given `Array.prototype` back.
 *
 * Why {@link ownList} does not use an array literal: V8 remembers, per literal,
 * the most general elements kind its arrays have reached and makes the next ones
 * in that kind, so the class a list starts in — and every class derived from it —
 * would change as the program runs, and the ones kept here would not be the ones
 * in use. The constructor, called this way, always starts from the same class.
 */
export const keptLists: OwnList<unknown> = ownList();
const kindValues: readonly unknown[] = [0, 0.5, noArguments];
for (let kind = 0; kind < 3 * 4; kind++) {
  const holey = (kind & 1) === 1;
  const list = ownList(holey ? 2 : 0);
  list[holey ? 1 : 0] = kindValues[kind >> 2];
  keptLists[kind] = (kind & 2) === 2 ? listAsArray(list) : list;
}
