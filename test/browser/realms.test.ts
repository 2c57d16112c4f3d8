/**
 * Values from another realm, the browser way: an iframe's window. (In Node the core
 * suite uses `node:vm` for the same questions.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gather, gatherSettled } from '../../src/index';
import { never } from '../support/deferred';

/** Untyped access, for inputs the public types rightly refuse. */
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;

let iframe: HTMLIFrameElement;
/** The iframe's global object: another realm, with its own `Map`, `Object`, `AbortController`. */
let realm: Window & typeof globalThis;

beforeEach(() => {
  iframe = document.createElement('iframe');
  document.body.append(iframe);
  const window = iframe.contentWindow;
  if (window === null) throw new Error('the iframe has no window');
  realm = window as Window & typeof globalThis;
});

afterEach(() => {
  iframe.remove();
});

describe('Words: collection, keyed, from another realm', () => {
  it('reads a Map from another realm as a Map', async () => {
    const input = new realm.Map<string, unknown>([
      ['b', 2],
      ['a', () => 1],
    ]);
    expect(input).not.toBeInstanceOf(Map);
    const result = await gather(input);
    expect(result).toBeInstanceOf(Map);
    expect([...result.entries()]).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });

  it('reads a Map from another realm as a Map even when its Symbol.toStringTag is changed', async () => {
    const input = new realm.Map([['a', 1]]);
    Object.defineProperty(input, Symbol.toStringTag, { value: 'X' });
    const result = await gather(input);
    expect(result).toBeInstanceOf(Map);
    expect([...result.entries()]).toEqual([['a', 1]]);
  });

  it('reads a plain object from another realm as keyed', async () => {
    const input = realm.JSON.parse('{ "b": 2, "a": 1 }') as Record<string, number>;
    expect(Object.getPrototypeOf(input)).not.toBe(Object.prototype);
    const result = await gather(input);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Reflect.ownKeys(result)).toEqual(['b', 'a']);
  });

  it('reads a Map from another realm the same way in gatherSettled', async () => {
    const result = await gatherSettled(new realm.Map([['k', 1]]));
    expect([...result.entries()]).toStrictEqual([['k', { status: 'fulfilled', value: 1 }]]);
  });

  it('rejects an object from another realm whose prototype is a plain object with a TypeError naming `tasks`', async () => {
    const input: unknown = realm.Object.create(realm.Object.create(realm.Object.prototype));
    const call = gatherAny(input);
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/`tasks`/);
  });
});

describe('gather 6. caller’s signal from another realm', () => {
  it('rejects with the reason of an AbortSignal from another realm, the same object', async () => {
    const controller = new realm.AbortController();
    const call = gather([() => never()], { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('rejects at once when an AbortSignal from another realm is already aborted', async () => {
    const controller = new realm.AbortController();
    controller.abort('already');
    let called = false;
    const call = gather(
      [
        () => {
          called = true;
        },
      ],
      { signal: controller.signal },
    );
    await expect(call).rejects.toBe('already');
    expect(called).toBe(false);
  });
});
