import { describe, expect, it } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { fulfillingThenable } from './support/fixtures';

/** A small seeded generator (mulberry32), so every run checks the same inputs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One slot in two forms: the p-gather task, and what `Promise.all` is given for it. */
interface Slot {
  task: unknown;
  forPromiseAll: () => unknown;
}

function delayed<T>(
  ticks: number,
  settle: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
): Promise<T> {
  let chain: Promise<void> = Promise.resolve();
  for (let i = 0; i < ticks; i++) chain = chain.then(() => undefined);
  return chain.then(() => new Promise<T>(settle));
}

function randomSlot(next: () => number, index: number, withFailures: boolean): Slot {
  const ticks = Math.floor(next() * 4);
  const fails = withFailures && next() < 0.25;
  const value = { index };
  const reason = new Error(`slot ${index}`);
  const settle = (resolve: (v: unknown) => void, reject: (e: unknown) => void) =>
    fails ? reject(reason) : resolve(value);
  switch (Math.floor(next() * (withFailures ? 4 : 6))) {
    case 0: {
      // A promise passed in: both sides get the same promise object.
      const promise = delayed(ticks, settle);
      return { task: promise, forPromiseAll: () => promise };
    }
    case 1: {
      // A plain value.
      return { task: value, forPromiseAll: () => value };
    }
    case 2: {
      // A task function returning a promise, made when it is called.
      let made: Promise<unknown> | undefined;
      return {
        task: () => {
          made = delayed(ticks, settle);
          return made;
        },
        forPromiseAll: () => made,
      };
    }
    case 3: {
      // An already-rejected or already-fulfilled promise passed in.
      const promise = fails ? Promise.reject(reason) : Promise.resolve(value);
      return { task: promise, forPromiseAll: () => promise };
    }
    case 4: {
      // A synchronous task function.
      return { task: () => value, forPromiseAll: () => value };
    }
    default: {
      // A thenable passed in.
      const thenable = fulfillingThenable(value);
      return { task: thenable, forPromiseAll: () => thenable };
    }
  }
}

function randomSlots(seed: number, withFailures: boolean): Slot[] {
  const next = random(seed);
  const length = Math.floor(next() * 12);
  return Array.from({ length }, (_, index) => randomSlot(next, index, withFailures));
}

describe('gather against Promise.all, on seeded random inputs', () => {
  it('fulfils with what Promise.all fulfils with, for mixed values, promises, thenables and task functions', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const slots = randomSlots(seed, false);
      const ours = gather(slots.map((slot) => slot.task));
      const theirs = Promise.all(slots.map((slot) => slot.forPromiseAll()));
      expect(await ours, `seed ${seed}`).toEqual(await theirs);
    }
  });

  it('rejects with the reason Promise.all rejects with, for native promises and plain values', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const slots = randomSlots(seed, true);
      const ours = gather(slots.map((slot) => slot.task)).then(
        (value) => ({ value }),
        (reason: unknown) => ({ reason }),
      );
      const theirs = Promise.all(slots.map((slot) => slot.forPromiseAll())).then(
        (value) => ({ value }),
        (reason: unknown) => ({ reason }),
      );
      const [mine, platform] = await Promise.all([ours, theirs]);
      expect(mine, `seed ${seed}`).toEqual(platform);
      if ('reason' in platform && 'reason' in mine) expect(mine.reason).toBe(platform.reason);
    }
  });

  it('gatherSettled gives what Promise.allSettled gives', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const slots = randomSlots(seed, true);
      const ours = gatherSettled(slots.map((slot) => slot.task));
      const theirs = Promise.allSettled(slots.map((slot) => slot.forPromiseAll()));
      expect(await ours, `seed ${seed}`).toEqual(await theirs);
    }
  });
});
