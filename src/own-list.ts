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

/** An empty list with a `null` prototype, optionally sized (its slots read `undefined`). */
export function ownList<T>(length = 0): OwnList<T> {
  const list = Object.setPrototypeOf([], null) as OwnList<T>;
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
