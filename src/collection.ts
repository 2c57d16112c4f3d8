import { describeValue } from './describe';
import { listAsArray, type OwnList, ownList } from './own-list';
import { absorbRejections } from './promises';

/** How the input was shaped, so the output can be shaped the same way. */
type CollectionKind = 'positional' | 'object' | 'map';

/**
 * The input of one call, read once, eagerly and completely: the call never looks
 * at the caller's collection again, so changing it afterwards has no effect.
 */
export interface Collection {
  readonly kind: CollectionKind;
  /** Keys in input order, for keyed input; `undefined` for positional input. */
  readonly keys: unknown[] | undefined;
  /**
   * Values in input order: a new, dense array owned by the call, every index an own
   * data property (so writing a result over one never reaches `Array.prototype`).
   */
  readonly values: unknown[];
}

/** The Array iterator as the realm made it, taken at load time (streams read arrays by index too). */
export const arrayValues = Array.prototype[Symbol.iterator];
const arrayIteratorPrototype: { next: unknown } = Object.getPrototypeOf([][Symbol.iterator]());
export const arrayIteratorNext = arrayIteratorPrototype.next;
const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get as (
  this: unknown,
) => number;
const mapForEach = Map.prototype.forEach as (
  this: unknown,
  callback: (value: unknown, key: unknown) => void,
) => void;

/**
 * Reads `tasks` once, eagerly and completely (test/collection.test.ts). A read
 * error (a throwing iterator, getter or Proxy trap) propagates, after every native promise read so
 * far has been given a rejection handler.
 */
export function readCollection(tasks: unknown): Collection {
  if (typeof tasks === 'string') return { kind: 'positional', keys: undefined, values: [...tasks] };
  if ((typeof tasks !== 'object' || tasks === null) && typeof tasks !== 'function') {
    throw new TypeError(expectedCollection(tasks));
  }
  if (!Array.isArray(tasks) && isMap(tasks)) return readMap(tasks);

  const iteratorMethod: unknown = (tasks as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (iteratorMethod !== undefined && iteratorMethod !== null) {
    const values = ownList<unknown>();
    if (
      iteratorMethod === arrayValues &&
      Array.isArray(tasks) &&
      arrayIteratorPrototype.next === arrayIteratorNext
    ) {
      readArray(tasks, values);
    } else {
      readIterable(tasks, iteratorMethod, values);
    }
    return { kind: 'positional', keys: undefined, values: listAsArray(values) };
  }
  if ((tasks as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] != null) {
    throw new TypeError(
      `Expected \`tasks\` to be an iterable, a plain object or a Map, got an async iterable: map it with \`map(source, mapper)\` or \`mapIterable\`, which read any source lazily`,
    );
  }
  if (isPlainObject(tasks)) return readPlainObject(tasks);
  throw new TypeError(expectedCollection(tasks));
}

function expectedCollection(tasks: unknown): string {
  return `Expected \`tasks\` to be an iterable, a plain object or a Map, got ${describeValue(tasks)}`;
}

/**
 * A `Map` by its brand, so that one from another realm (an iframe, `node:vm`)
 * counts too. The brand check throws for anything else, so it is kept for the
 * objects that can be a foreign Map: not our Maps, not plain objects.
 */
function isMap(value: object): boolean {
  if (value instanceof Map) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype) return false;
  try {
    mapSize.call(value);
    return true;
  } catch {
    return false;
  }
}

/** An object whose prototype is `null` or the `Object.prototype` of some realm. */
function isPlainObject(value: object): boolean {
  const prototype: object | null = Object.getPrototypeOf(value);
  if (prototype === null || prototype === Object.prototype) return true;
  if (Object.getPrototypeOf(prototype) !== null) return false;
  const objectConstructor: unknown = Object.getOwnPropertyDescriptor(
    prototype,
    'constructor',
  )?.value;
  return (
    typeof objectConstructor === 'function' &&
    objectConstructor.name === 'Object' &&
    (objectConstructor as { prototype?: unknown }).prototype === prototype
  );
}

/**
 * The array iterator's own steps (read `length`, then the element, each turn),
 * without an iterator object per call. Holes read as `undefined`.
 */
function readArray(array: readonly unknown[], values: OwnList<unknown>): void {
  try {
    // Sized up front (no regrowth for a million tasks), yet read exactly as the
    // iterator reads: `length` before every element and once at the end, since an
    // element getter may change it.
    let length = array.length;
    values.length = length;
    let index = 0;
    while (index < length) {
      values[index] = array[index];
      index++;
      length = array.length;
    }
    // Only when an element getter shortened the array: a store to `length` here,
    // reached on every call, deoptimised the loop's optimised code at each exit
    // (`--trace-deopt`: "Insufficient type feedback", once per call).
    if (index !== values.length) values.length = index;
  } catch (error) {
    // Only a Proxy's trap or an element getter can throw here.
    absorbRejections(values);
    throw error;
  }
}

function readIterable(iterable: object, iteratorMethod: unknown, values: OwnList<unknown>): void {
  try {
    if (typeof iteratorMethod !== 'function') {
      throw new TypeError(
        `Expected \`tasks\` to be iterable, but its Symbol.iterator is ${describeValue(iteratorMethod)}`,
      );
    }
    const iterator: unknown = iteratorMethod.call(iterable);
    if (typeof iterator !== 'object' || iterator === null) {
      throw new TypeError(
        `Expected \`tasks\`'s Symbol.iterator to return an object, got ${describeValue(iterator)}`,
      );
    }
    const next: unknown = (iterator as { next?: unknown }).next;
    if (typeof next !== 'function') {
      throw new TypeError(`Expected the iterator of \`tasks\` to have a next() method`);
    }
    for (;;) {
      const step: unknown = next.call(iterator);
      if (typeof step !== 'object' || step === null) {
        throw new TypeError(
          `Expected the iterator of \`tasks\` to return objects, got ${describeValue(step)}`,
        );
      }
      if ((step as IteratorResult<unknown>).done) break;
      values[values.length] = (step as IteratorResult<unknown>).value;
    }
  } catch (error) {
    absorbRejections(values);
    throw error;
  }
}

function readMap(map: object): Collection {
  const keys = ownList<unknown>();
  const values = ownList<unknown>();
  mapForEach.call(map, (value, key) => {
    keys[keys.length] = key;
    values[values.length] = value;
  });
  return { kind: 'map', keys: listAsArray(keys), values: listAsArray(values) };
}

/**
 * Own enumerable keys, strings and symbols, in `Reflect.ownKeys` order; per key the
 * descriptor, then the value, each read once — as TC39's `Promise.allKeyed` reads.
 */
function readPlainObject(object: object): Collection {
  const keys = ownList<PropertyKey>();
  const values = ownList<unknown>();
  try {
    const ownKeys = Reflect.ownKeys(object);
    for (let index = 0; index < ownKeys.length; index++) {
      const key = ownKeys[index] as PropertyKey;
      const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
      if (descriptor === undefined || !descriptor.enumerable) continue;
      values[values.length] = (object as Record<PropertyKey, unknown>)[key];
      keys[keys.length] = key;
    }
  } catch (error) {
    absorbRejections(values);
    throw error;
  }
  return { kind: 'object', keys: listAsArray(keys), values: listAsArray(values) };
}

/** Builds the output: the same shape as the input, over `values` (owned by the call). */
export function shapeOutput(values: unknown[], collection: Collection): unknown {
  const { kind, keys } = collection;
  if (keys === undefined) return values; // positional: the only kind without keys
  if (kind === 'map') {
    const map = new Map<unknown, unknown>();
    for (let index = 0; index < keys.length; index++) map.set(keys[index], values[index]);
    return map;
  }
  // A null prototype, as `Promise.allKeyed`: a key named "__proto__" is just a key.
  const object: Record<PropertyKey, unknown> = Object.create(null);
  for (let index = 0; index < keys.length; index++) {
    object[keys[index] as PropertyKey] = values[index];
  }
  return object;
}
