import { describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { deferred } from './support/deferred';

const inNode = typeof process !== 'undefined' && typeof process.on === 'function';
/** Node's `node:vm`, for values from another realm; absent in a browser (see test/browser/realms). */
const vm = inNode ? await import('node:vm') : undefined;
/** Tests that need Node's `node:vm`. */
const itInNode = it.skipIf(!inNode);

function runInNewContext(code: string): unknown {
  if (vm === undefined) throw new Error('another realm needs node:vm');
  return vm.runInNewContext(code);
}

/** Untyped access, for inputs the public types rightly refuse. */
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;

describe('Words: collection, positional', () => {
  it('reads a Set as positional input', async () => {
    await expect(gather(new Set([() => 'a', 'b']))).resolves.toEqual(['a', 'b']);
  });

  it('reads a string as positional input, one slot per character', async () => {
    await expect(gather('hé🙂')).resolves.toEqual(['h', 'é', '🙂']);
  });

  it('reads a typed array as positional input', async () => {
    await expect(gather(new Uint8Array([3, 4]))).resolves.toEqual([3, 4]);
  });

  it('reads a generator completely before it starts any task function', async () => {
    const log: string[] = [];
    function* tasks() {
      for (const name of ['a', 'b', 'c']) {
        log.push(`read ${name}`);
        yield () => {
          log.push(`start ${name}`);
          return name;
        };
      }
    }
    await expect(gather(tasks())).resolves.toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['read a', 'read b', 'read c', 'start a', 'start b', 'start c']);
  });

  it('reads an iterable once, with the iteration protocol', async () => {
    const next = vi.fn();
    let index = 0;
    const values = ['x', 'y'];
    const iterator = vi.fn(() => ({
      next: next.mockImplementation(() =>
        index < values.length ? { done: false, value: values[index++] } : { done: true },
      ),
    }));
    await expect(gather({ [Symbol.iterator]: iterator } as Iterable<string>)).resolves.toEqual([
      'x',
      'y',
    ]);
    expect(iterator).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledTimes(3);
  });

  it('reads holes as undefined and resolves with a dense array', async () => {
    // biome-ignore lint/suspicious/noSparseArray: holes are what this test is about.
    const result = await gather([1, , 3]);
    expect(result).toHaveLength(3);
    expect(Object.hasOwn(result, 1)).toBe(true);
    expect(result).toEqual([1, undefined, 3]);
  });

  it('treats a plain object with an own Symbol.iterator as positional', async () => {
    const input = {
      a: 'not a slot',
      *[Symbol.iterator]() {
        yield 1;
        yield () => 2;
      },
    };
    await expect(gatherAny(input)).resolves.toEqual([1, 2]);
  });

  it('treats a class instance with an inherited Symbol.iterator as positional', async () => {
    class Tasks {
      *[Symbol.iterator]() {
        yield 'a';
        yield () => 'b';
      }
    }
    await expect(gather(new Tasks())).resolves.toEqual(['a', 'b']);
  });

  it('rejects with the error an iterator throws, and starts nothing', async () => {
    const failure = new Error('cannot read');
    const task = vi.fn();
    function* tasks() {
      yield task;
      throw failure;
    }
    await expect(gather(tasks())).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the error Symbol.iterator throws, and starts nothing', async () => {
    const failure = new Error('no iterator');
    const input = {
      [Symbol.iterator]() {
        throw failure;
      },
    };
    await expect(gatherAny(input)).rejects.toBe(failure);
  });

  it('rejects with the error a Proxy trap throws while an array is read, and starts nothing', async () => {
    const failure = new Error('trap');
    const task = vi.fn();
    const input = new Proxy([task, 'second'], {
      get(target, key, receiver) {
        if (key === '1') throw failure;
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(gather(input)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });
});

describe('Words: collection, keyed', () => {
  it('reads a plain object in Reflect.ownKeys order: integer keys, strings, then symbols', async () => {
    const symbol = Symbol('s');
    const order: PropertyKey[] = [];
    const task = (key: PropertyKey) => () => order.push(key);
    await gather({
      [symbol]: task(symbol),
      b: task('b'),
      10: task('10'),
      a: task('a'),
      2: task('2'),
    });
    expect(order).toEqual(['2', '10', 'b', 'a', symbol]);
  });

  it('reads a null-prototype object as keyed', async () => {
    const input: Record<string, unknown> = Object.create(null);
    input.x = () => 'x';
    const result = await gather(input);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect({ ...result }).toEqual({ x: 'x' });
  });

  itInNode('reads a plain object from another realm as keyed', async () => {
    const input = runInNewContext('({ b: 2, a: 1 })') as Record<string, number>;
    expect(Object.getPrototypeOf(input)).not.toBe(Object.prototype);
    const result = await gather(input);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Reflect.ownKeys(result)).toEqual(['b', 'a']);
    expect({ ...result }).toEqual({ a: 1, b: 2 });
  });

  itInNode('reads a Map from another realm as a Map', async () => {
    const input = runInNewContext('new Map([["b", 2], ["a", 1]])') as Map<string, number>;
    expect(input).not.toBeInstanceOf(Map);
    const result = await gather(input);
    expect(result).toBeInstanceOf(Map);
    expect([...result.entries()]).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });

  it('reads a Map subclass as a Map', async () => {
    class TaskMap extends Map<string, unknown> {}
    const result = await gather(new TaskMap([['k', () => 'v']]));
    expect(result).toBeInstanceOf(Map);
    expect([...result.entries()]).toEqual([['k', 'v']]);
  });

  it('reads a plain object with a length as keyed, not as array-like', async () => {
    const result = await gatherAny({ length: 1, 0: 'zero' });
    expect(Array.isArray(result)).toBe(false);
    expect({ ...(result as object) }).toEqual({ 0: 'zero', length: 1 });
  });

  it('skips non-enumerable keys, strings and symbols, without calling their task functions', async () => {
    const hidden = vi.fn();
    const hiddenSymbol = Symbol('hidden');
    const input: Record<PropertyKey, unknown> = { shown: 'yes' };
    Object.defineProperty(input, 'hidden', { value: hidden, enumerable: false });
    Object.defineProperty(input, hiddenSymbol, { value: hidden, enumerable: false });
    const result = await gather(input);
    expect(Reflect.ownKeys(result)).toEqual(['shown']);
    expect(hidden).not.toHaveBeenCalled();
  });

  it('reads each key’s descriptor, then its value, key by key, as Promise.allKeyed does', async () => {
    const log: string[] = [];
    const input = new Proxy<Record<string, unknown>>(
      { a: () => 1, b: 2 },
      {
        ownKeys(target) {
          log.push('ownKeys');
          return Reflect.ownKeys(target);
        },
        getOwnPropertyDescriptor(target, key) {
          log.push(`descriptor ${String(key)}`);
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
        get(target, key, receiver) {
          log.push(`get ${String(key)}`);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    await expect(gather(input)).resolves.toEqual({ a: 1, b: 2 });
    expect(log.slice(log.indexOf('ownKeys'))).toEqual([
      'ownKeys',
      'descriptor a',
      'get a',
      'descriptor b',
      'get b',
    ]);
  });

  it('calls a getter once and uses the value it returned', async () => {
    const getter = vi.fn(() => () => 'from getter');
    const input = {};
    Object.defineProperty(input, 'lazy', { get: getter, enumerable: true });
    const result = await gatherAny(input);
    expect(getter).toHaveBeenCalledTimes(1);
    expect({ ...(result as object) }).toEqual({ lazy: 'from getter' });
  });

  it('rejects with the error a getter throws, and starts nothing', async () => {
    const failure = new Error('getter');
    const task = vi.fn();
    const input = {
      first: task,
      get second(): unknown {
        throw failure;
      },
    };
    await expect(gather(input)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the error an ownKeys trap throws, and starts nothing', async () => {
    const failure = new Error('ownKeys');
    const input = new Proxy(
      {},
      {
        ownKeys() {
          throw failure;
        },
      },
    );
    await expect(gather(input)).rejects.toBe(failure);
  });

  it('rejects with the error a getOwnPropertyDescriptor trap throws, and starts nothing', async () => {
    const failure = new Error('descriptor');
    const task = vi.fn();
    const input = new Proxy<Record<string, unknown>>(
      { first: task, second: 2 },
      {
        getOwnPropertyDescriptor(target, key) {
          if (key === 'second') throw failure;
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    await expect(gather(input)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the error a getPrototypeOf trap throws, and starts nothing', async () => {
    const failure = new Error('getPrototypeOf');
    const task = vi.fn();
    const input = new Proxy<Record<string, unknown>>(
      { task },
      {
        getPrototypeOf() {
          throw failure;
        },
      },
    );
    await expect(gather(input)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  itInNode('reads keyed input the same way in gatherSettled', async () => {
    const result = await gatherSettled(
      runInNewContext('new Map([["k", 1]])') as Map<string, number>,
    );
    expect([...result.entries()]).toStrictEqual([['k', { status: 'fulfilled', value: 1 }]]);
  });
});

describe('Words: collection, what is neither', () => {
  it('rejects an async iterable with a TypeError that says so, and reads nothing', async () => {
    const body = vi.fn();
    async function* tasks() {
      body();
      yield 1;
    }
    const call = gatherAny(tasks());
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/async/i);
    expect(body).not.toHaveBeenCalled();
  });

  it('points a user with an async iterable to map, which reads one lazily', async () => {
    async function* tasks() {
      yield 1;
    }
    await expect(gatherAny(tasks())).rejects.toThrow(/`map\(source, mapper\)`/);
  });

  it.each([
    ['a class instance', () => new (class Tasks {})()],
    ['an object whose prototype is a plain object', () => Object.create({})],
    ['a Date', () => new Date(0)],
    ['a promise', () => Promise.resolve([])],
    ['a function', () => () => 1],
  ])('rejects %s with a TypeError naming `tasks`', async (_name, make) => {
    const call = gatherAny(make());
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/`tasks`/);
  });

  itInNode(
    'rejects a class instance from another realm with a TypeError naming `tasks`',
    async () => {
      const call = gatherAny(runInNewContext('new (class Tasks {})()'));
      await expect(call).rejects.toThrow(TypeError);
      await expect(call).rejects.toThrow(/`tasks`/);
    },
  );

  it('starts no task function held by a class instance', async () => {
    const task = vi.fn();
    class Holder {
      task = task;
    }
    await expect(gatherAny(new Holder())).rejects.toThrow(TypeError);
    expect(task).not.toHaveBeenCalled();
  });
});

describe('Words: collection, never written to', () => {
  it('reads frozen arrays and objects', async () => {
    await expect(gather(Object.freeze([() => 1, 2]))).resolves.toEqual([1, 2]);
    await expect(gather(Object.freeze({ a: () => 1 }))).resolves.toEqual({ a: 1 });
  });

  it('writes nothing to an array, an object or a Map', async () => {
    const writes: string[] = [];
    const noWrites: ProxyHandler<object> = {
      set(_target, key) {
        writes.push(`set ${String(key)}`);
        return true;
      },
      defineProperty(_target, key) {
        writes.push(`define ${String(key)}`);
        return true;
      },
      deleteProperty(_target, key) {
        writes.push(`delete ${String(key)}`);
        return true;
      },
    };
    const map = new Map([['k', () => 1]]);
    map.set = () => {
      writes.push('Map set');
      return map;
    };
    map.delete = () => {
      writes.push('Map delete');
      return false;
    };
    map.clear = () => {
      writes.push('Map clear');
    };
    await gather(new Proxy([() => 1, 2], noWrites) as unknown[]);
    await gather(new Proxy({ a: () => 1 }, noWrites) as Record<string, unknown>);
    await gather(map);
    expect(writes).toEqual([]);
  });

  it('ignores changes made to the input after the call', async () => {
    const later = deferred<number>();
    const array: unknown[] = [() => later.promise];
    const object: Record<string, unknown> = { a: () => later.promise };
    const map = new Map<string, unknown>([['a', () => later.promise]]);
    const calls = [gather(array), gather(object), gather(map)] as const;
    array.push('added');
    array[0] = 'replaced';
    object.b = 'added';
    object.a = 'replaced';
    map.set('b', 'added');
    map.set('a', 'replaced');
    later.resolve(1);
    const [arrayResult, objectResult, mapResult] = await Promise.all(calls);
    expect(arrayResult).toEqual([1]);
    expect({ ...objectResult }).toEqual({ a: 1 });
    expect([...mapResult.entries()]).toEqual([['a', 1]]);
  });
});
