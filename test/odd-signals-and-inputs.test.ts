import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type AbortSignalLike, gather, gatherSettled } from '../src/index';

/** Tests that need Node's `node:vm` (test/browser/realms covers realms in a browser). */
const itInNode = it.skipIf(typeof process === 'undefined' || typeof process.on !== 'function');

/** A signal-like object that p-gather can link to, with a hook to abort it. */
function signalLike(overrides: Partial<Pick<AbortSignalLike, 'removeEventListener'>> = {}) {
  const listeners = new Set<() => void>();
  const signal = {
    aborted: false,
    addEventListener(_type: 'abort', listener: () => void) {
      listeners.add(listener);
    },
    removeEventListener(_type: 'abort', listener: () => void) {
      listeners.delete(listener);
    },
    ...overrides,
  };
  return {
    signal,
    abort() {
      signal.aborted = true;
      for (const listener of [...listeners]) listener();
    },
  };
}

describe('gather 6. a caller signal-like that misbehaves still lets the call settle', () => {
  it('resolves when its removeEventListener throws as the call settles', async () => {
    const { signal } = signalLike({
      removeEventListener() {
        throw new Error('cannot remove');
      },
    });
    await expect(gather([async () => 1], { signal })).resolves.toEqual([1]);
  });

  it('gatherSettled resolves when its removeEventListener throws', async () => {
    const { signal } = signalLike({
      removeEventListener() {
        throw new Error('cannot remove');
      },
    });
    await expect(gatherSettled([async () => 1], { signal })).resolves.toEqual([
      { status: 'fulfilled', value: 1 },
    ]);
  });

  it('rejects every linked call with the error its reason getter throws when it aborts later', async () => {
    const broken = new Error('no reason');
    const controls = signalLike();
    Object.defineProperty(controls.signal, 'reason', {
      get() {
        throw broken;
      },
    });
    const first = gather([() => new Promise(() => {})], { signal: controls.signal });
    const second = gather([() => new Promise(() => {})], { signal: controls.signal });
    controls.abort();
    await expect(first).rejects.toBe(broken);
    await expect(second).rejects.toBe(broken);
  });
});

describe('gather 6. a caller signal-like that aborts with undefined', () => {
  it('rejects with undefined and aborts the tasks with an "AbortError" whose cause is undefined', async () => {
    const controls = signalLike();
    let seen: AbortSignal | undefined;
    const call = gather(
      [
        (signal: AbortSignal) => {
          seen = signal;
          return new Promise(() => {});
        },
      ],
      { signal: controls.signal },
    );
    controls.abort();
    await expect(call).rejects.toBeUndefined();
    expect(seen?.reason).toMatchObject({ name: 'AbortError' });
    expect(Object.getOwnPropertyDescriptor(seen?.reason, 'cause')).toMatchObject({
      value: undefined,
    });
  });
});

describe('Words: collections read by brand and by the iteration protocol', () => {
  itInNode(
    'reads a Map from another realm as keyed even when its Symbol.toStringTag is changed',
    async () => {
      const foreign: unknown = vm.runInNewContext(
        'const m = new Map([["a", 1]]); Object.defineProperty(m, Symbol.toStringTag, { value: "X" }); m',
      );
      const result: unknown = await gather(foreign as Map<string, number>);
      expect(result).toBeInstanceOf(Map);
      expect([...(result as Map<string, number>)]).toEqual([['a', 1]]);
    },
  );

  it('reads an array through a Proxy with exactly the reads that spreading it makes', async () => {
    const record = (log: string[]) =>
      new Proxy([1, 2], {
        get(target, key, receiver) {
          log.push(typeof key === 'symbol' ? key.toString() : key);
          return Reflect.get(target, key, receiver);
        },
        getPrototypeOf(target) {
          log.push('getPrototypeOf');
          return Reflect.getPrototypeOf(target);
        },
      });
    const spread: string[] = [];
    void [...record(spread)];
    const read: string[] = [];
    await gather(record(read));
    expect(read).toEqual(spread);
  });
});
