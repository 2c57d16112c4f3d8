/**
 * The checks every runtime runs against the built package (SPEC › Platforms: the
 * same build runs in Node, Bun and Deno). Plain JavaScript with no imports and no
 * runtime-specific API, so that Node, Bun and Deno run exactly this file; the ESM
 * and the CommonJS smoke scripts hand it the module they loaded.
 *
 * `runSmokeChecks(lib)` resolves with the list of checks that failed (empty when
 * all passed), after logging one line per check.
 */

class Mismatch extends Error {}

function assert(ok, message) {
  if (!ok) throw new Mismatch(message);
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (reason) {
    return { reason };
  }
  throw new Mismatch('expected a rejection, got a fulfilment');
}

const never = () => new Promise(() => {});
const later = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value));

function isDomException(value) {
  return typeof DOMException !== 'function' || value instanceof DOMException;
}

/** `[name, check(lib)]`: each check throws on a mismatch. */
const checks = [
  [
    'exports asCompleted, first, gather, gatherSettled, isolate, TaskGroup, map, mapSettled and mapIterable as functions',
    (lib) => {
      for (const name of [
        'asCompleted',
        'first',
        'gather',
        'gatherSettled',
        'isolate',
        'TaskGroup',
        'map',
        'mapSettled',
        'mapIterable',
      ]) {
        assert(typeof lib[name] === 'function', `${name} is ${typeof lib[name]}`);
      }
    },
  ],
  [
    'gather: array in, array out, in input order, from task functions, promises and values',
    async ({ gather }) => {
      const result = await gather([() => 1, async () => 2, later(5, 3), 4, () => later(1, 5)]);
      assert(Array.isArray(result), 'not an array');
      same(result, [1, 2, 3, 4, 5], 'results');
    },
  ],
  [
    'gather: plain object in, null-prototype object out, symbol keys kept',
    async ({ gather }) => {
      const key = Symbol('key');
      const result = await gather({ a: () => 1, b: Promise.resolve(2), [key]: async () => 3 });
      assert(Object.getPrototypeOf(result) === null, 'prototype is not null');
      same(Object.keys(result), ['a', 'b'], 'keys');
      same([result.a, result.b, result[key]], [1, 2, 3], 'values');
    },
  ],
  [
    'gather: Map in, Map out, same keys in the same order',
    async ({ gather }) => {
      const result = await gather(
        new Map([
          ['x', () => 1],
          [2, async () => 'two'],
        ]),
      );
      assert(result instanceof Map, 'not a Map');
      same(
        [...result],
        [
          ['x', 1],
          [2, 'two'],
        ],
        'entries',
      );
    },
  ],
  [
    'gather: fail fast, siblings see an AbortError DOMException with the failure as cause',
    async ({ gather }) => {
      const failure = new Error('boom');
      let sibling;
      const started = [];
      const { reason } = await rejection(
        gather([
          (signal) => {
            sibling = signal;
            return never();
          },
          () => later(1).then(() => Promise.reject(failure)),
          () => {
            started.push('c');
          },
        ]),
      );
      assert(reason === failure, 'did not reject with the very failure');
      assert(sibling.aborted, "the sibling's signal is not aborted");
      const abortReason = sibling.reason;
      assert(isDomException(abortReason), 'the abort reason is not a DOMException');
      same(abortReason.name, 'AbortError', 'abort reason name');
      assert(Object.hasOwn(abortReason, 'cause'), 'the abort reason has no own cause');
      assert(abortReason.cause === failure, 'the cause is not the failure');
      same(started, ['c'], 'task functions started before the failure');
    },
  ],
  [
    'gather: a synchronous throw stops the start loop',
    async ({ gather }) => {
      const failure = new Error('sync');
      const started = [];
      const { reason } = await rejection(
        gather([
          () => started.push('a'),
          () => {
            throw failure;
          },
          () => started.push('c'),
        ]),
      );
      assert(reason === failure, 'did not reject with the very failure');
      same(started, ['a'], 'started');
    },
  ],
  [
    'gather: the deadline rejects with a TimeoutError DOMException that is also the signal reason',
    async ({ gather }) => {
      let signal;
      const start = Date.now();
      const { reason } = await rejection(
        gather(
          [
            (s) => {
              signal = s;
              return never();
            },
          ],
          { timeout: 20 },
        ),
      );
      assert(isDomException(reason), 'not a DOMException');
      same(reason.name, 'TimeoutError', 'name');
      assert(signal.aborted && signal.reason === reason, 'the signal reason is not the rejection');
      assert(Date.now() - start >= 15, `fired after ${Date.now() - start} ms, before 20`);
    },
  ],
  [
    "gather: the caller's signal aborts the call with its very reason",
    async ({ gather }) => {
      const controller = new AbortController();
      const reason = new Error('caller');
      let signal;
      const call = gather(
        [
          (s) => {
            signal = s;
            return never();
          },
        ],
        { signal: controller.signal },
      );
      controller.abort(reason);
      const outcome = await rejection(call);
      assert(outcome.reason === reason, 'did not reject with the reason');
      assert(signal !== controller.signal, "the task got the caller's signal");
      assert(signal.reason === reason, 'the call signal reason differs');
    },
  ],
  [
    'gatherSettled: outcomes as Promise.allSettled gives them, no sibling aborted',
    async ({ gatherSettled }) => {
      const failure = new Error('no');
      let signal;
      const result = await gatherSettled([
        (s) => {
          signal = s;
          return later(5, 'slow');
        },
        () => Promise.reject(failure),
        3,
      ]);
      same(result[0], { status: 'fulfilled', value: 'slow' }, 'slot 0');
      assert(result[1].status === 'rejected' && result[1].reason === failure, 'slot 1');
      same(result[2], { status: 'fulfilled', value: 3 }, 'slot 2');
      assert(!signal.aborted, 'a failure aborted a sibling');
    },
  ],
  [
    'gatherSettled: the deadline gives partial results',
    async ({ gatherSettled }) => {
      const result = await gatherSettled(
        { fast: () => 'fast', slow: () => never() },
        { timeout: 20 },
      );
      same(result.fast, { status: 'fulfilled', value: 'fast' }, 'fast');
      assert(result.slow.status === 'rejected', 'slow is not rejected');
      same(result.slow.reason.name, 'TimeoutError', 'slow reason');
    },
  ],
  [
    'isolate: contains a failure with the fallback and calls onError',
    async ({ gather, isolate }) => {
      const failure = new Error('ads down');
      const seen = [];
      let sibling;
      const result = await gather([
        (signal) => {
          sibling = signal;
          return later(5, 'user');
        },
        isolate(() => Promise.reject(failure), {
          fallback: [],
          onError: (error) => {
            seen.push(error);
          },
        }),
      ]);
      same(result, ['user', []], 'results');
      assert(seen.length === 1 && seen[0] === failure, 'onError did not get the failure');
      assert(!sibling.aborted, 'the isolated failure aborted a sibling');
    },
  ],
  [
    'isolate: cancellation is not a failure',
    async ({ isolate }) => {
      const controller = new AbortController();
      controller.abort();
      const failure = new Error('cancelled');
      const isolated = isolate(() => Promise.reject(failure), { fallback: 'no' });
      const outcome = await rejection(isolated(controller.signal));
      assert(outcome.reason === failure, 'did not let the failure through');
      same(await isolated(), 'no', 'without a signal');
    },
  ],
  [
    'first: the first to fulfil wins and the loser is aborted; all failing is an AggregateError',
    async ({ first }) => {
      let loser;
      const winner = await first([
        (signal) => {
          loser = signal;
          return new Promise(() => {});
        },
        () => later(1, 'fast'),
      ]);
      same(winner, 'fast', 'winner');
      assert(loser?.aborted === true, 'the loser was not aborted');
      assert(loser.reason?.name === 'AbortError', `loser reason ${loser.reason?.name}`);
      const failure = new Error('down');
      const outcome = await rejection(first([() => Promise.reject(failure)]));
      assert(outcome.reason?.name === 'AggregateError', `got ${outcome.reason?.name}`);
      assert(outcome.reason.errors[0] === failure, 'errors[0] is not the failure');
    },
  ],
  [
    'concurrency: at most the bound running, started in input order',
    async ({ gather }) => {
      let running = 0;
      let most = 0;
      const started = [];
      const task = (label, ms) => async () => {
        started.push(label);
        running++;
        most = Math.max(most, running);
        await later(ms);
        running--;
        return label;
      };
      const result = await gather(
        [task('a', 10), task('b', 2), task('c', 2), task('d', 1), task('e', 1)],
        {
          concurrency: 2,
        },
      );
      same(result, ['a', 'b', 'c', 'd', 'e'], 'results');
      same(started, ['a', 'b', 'c', 'd', 'e'], 'start order');
      assert(most === 2, `at most ${most} running, expected 2`);
    },
  ],
  [
    'concurrency: 100,000 synchronous task functions at concurrency 1 without overflowing the stack',
    async ({ gather }) => {
      const tasks = Array.from({ length: 100_000 }, (_, index) => () => index);
      const result = await gather(tasks, { concurrency: 1 });
      assert(result.length === 100_000 && result[99_999] === 99_999, 'wrong results');
    },
  ],
  [
    'limit: a shared limiter function bounds two calls together',
    async ({ gather }) => {
      // A minimal p-limit-shaped limiter: runs `fn` when a slot is free.
      const queue = [];
      let active = 0;
      let most = 0;
      const next = () => {
        if (active >= 2 || queue.length === 0) return;
        const { fn, resolve, reject } = queue.shift();
        active++;
        most = Math.max(most, active);
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      };
      const limit = (fn) =>
        new Promise((resolve, reject) => {
          queue.push({ fn, resolve, reject });
          next();
        });
      const tasks = (prefix) => [1, 2, 3].map((n) => () => later(2, `${prefix}${n}`));
      const [a, b] = await Promise.all([
        gather(tasks('a'), { limit }),
        gather(tasks('b'), { limit }),
      ]);
      same(
        [a, b],
        [
          ['a1', 'a2', 'a3'],
          ['b1', 'b2', 'b3'],
        ],
        'results',
      );
      assert(most === 2, `at most ${most} running, expected 2`);
    },
  ],
  [
    'waitForCleanup: settles only once every started task function has settled',
    async ({ gather }) => {
      const failure = new Error('fail');
      let cleaned = false;
      const { reason } = await rejection(
        gather(
          [
            (signal) =>
              new Promise((resolve) => {
                signal.addEventListener('abort', () =>
                  later(10).then(() => {
                    cleaned = true;
                    resolve();
                  }),
                );
              }),
            () => Promise.reject(failure),
          ],
          { waitForCleanup: true },
        ),
      );
      assert(reason === failure, 'wrong reason');
      assert(cleaned, 'settled before the sibling had cleaned up');
    },
  ],
  [
    'bad input rejects with a TypeError naming `tasks`, never a synchronous throw',
    async ({ gather, gatherSettled }) => {
      for (const call of [gather, gatherSettled]) {
        let promise;
        try {
          promise = call(42);
        } catch (error) {
          throw new Mismatch(`threw synchronously: ${error}`);
        }
        const { reason } = await rejection(promise);
        assert(reason instanceof TypeError && /`tasks`/.test(reason.message), String(reason));
      }
      const { reason } = await rejection(gather([], { concurrency: 0 }));
      assert(reason instanceof RangeError && /`concurrency`/.test(reason.message), String(reason));
    },
  ],
  [
    'asCompleted: entries in completion order; break aborts what still runs',
    async ({ asCompleted }) => {
      const seen = [];
      for await (const entry of asCompleted({
        slow: () => later(30, 's'),
        fast: () => later(5, 'f'),
      })) {
        seen.push(entry);
      }
      same(
        seen,
        [
          { key: 'fast', status: 'fulfilled', value: 'f' },
          { key: 'slow', status: 'fulfilled', value: 's' },
        ],
        'entries',
      );
      let slowSignal;
      for await (const entry of asCompleted([
        (signal) => {
          slowSignal = signal;
          return never();
        },
        1,
      ])) {
        same(entry, { key: 1, status: 'fulfilled', value: 1 }, 'first entry');
        break;
      }
      assert(slowSignal.aborted, 'leaving the loop did not abort the running task');
      assert(slowSignal.reason?.name === 'AbortError', `reason ${slowSignal.reason}`);
      assert(isDomException(slowSignal.reason), 'not a DOMException');
    },
  ],
  [
    'TaskGroup: spawn, join, the first failure aborts the group after the others settle',
    async ({ TaskGroup }) => {
      const group = new TaskGroup({ concurrency: 2 });
      const values = [group.spawn(() => later(5, 'a')), group.spawn(async () => 'b')];
      await group.join();
      same(await Promise.all(values), ['a', 'b'], 'spawned values');
      let threw = false;
      try {
        group.spawn(() => 1);
      } catch (error) {
        threw = error instanceof TypeError;
      }
      assert(threw, 'spawn on a closed group did not throw a TypeError');

      const failure = new Error('boom');
      const failing = new TaskGroup();
      let cleaned = false;
      failing.spawn(
        (signal) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () =>
              later(10).then(() => {
                cleaned = true;
                resolve();
              }),
            );
          }),
      );
      failing.spawn(() => Promise.reject(failure));
      const { reason } = await rejection(failing.join());
      assert(reason === failure, 'join rejected with the wrong reason');
      assert(cleaned, 'join settled before the sibling had cleaned up');
      assert(failing.signal.reason?.cause === failure, 'group signal cause is not the failure');
    },
  ],
  [
    'TaskGroup: [Symbol.asyncDispose] joins and rejects with the failure, where the symbol exists',
    async ({ TaskGroup }) => {
      const group = new TaskGroup();
      if (typeof Symbol.asyncDispose !== 'symbol') return;
      assert(typeof group[Symbol.asyncDispose] === 'function', 'no [Symbol.asyncDispose]');
      const failure = new Error('late');
      group.spawn(() => later(5).then(() => Promise.reject(failure)));
      const { reason } = await rejection(group[Symbol.asyncDispose]());
      assert(reason === failure, 'dispose rejected with the wrong reason');
    },
  ],
];

/**
 * Listens for MaxListenersExceededWarning where the runtime reports warnings
 * through `process` (Node, Bun); `stop()` returns what was seen. run.mjs also fails
 * a run whose output mentions the warning, for a runtime that prints it otherwise.
 */
function watchListenerWarnings() {
  const host = globalThis.process;
  const seen = [];
  const onWarning = (warning) => {
    if (String(warning?.name ?? warning).includes('MaxListenersExceeded'))
      seen.push(String(warning));
  };
  const listening = typeof host?.on === 'function' && typeof host?.off === 'function';
  if (listening) host.on('warning', onWarning);
  return {
    stop() {
      if (listening) host.off('warning', onWarning);
      return seen;
    },
  };
}

checks.push(
  [
    'gather: 10,000 task functions that each listen to their signal print no listener-cap warning',
    async ({ gather }) => {
      const watch = watchListenerWarnings();
      let release;
      const done = new Promise((resolve) => {
        release = resolve;
      });
      const tasks = Array.from({ length: 10_000 }, () => (signal) => {
        const onAbort = () => {};
        signal.addEventListener('abort', onAbort);
        return done.then(() => signal.removeEventListener('abort', onAbort));
      });
      const call = gather(tasks);
      release();
      same((await call).length, 10_000, 'results');
      // Node emits the warning on a later tick.
      await later(10);
      same(watch.stop(), [], 'warnings');
    },
  ],
  [
    'TaskGroup: 100 spawned tasks that each listen to the group signal print no warning',
    async ({ TaskGroup }) => {
      const watch = watchListenerWarnings();
      const group = new TaskGroup();
      for (let index = 0; index < 100; index++) {
        group.spawn((signal) => {
          const onAbort = () => {};
          signal.addEventListener('abort', onAbort);
          return later(1).then(() => signal.removeEventListener('abort', onAbort));
        });
      }
      await group.join();
      await later(10);
      same(watch.stop(), [], 'warnings');
    },
  ],
);

// SPEC › Task wrappers: withTimeout and retry, on real timers in every runtime.
checks.push(
  [
    'exports withTimeout, retry and backoff as functions',
    (lib) => {
      for (const name of ['withTimeout', 'retry', 'backoff']) {
        assert(typeof lib[name] === 'function', `${name} is ${typeof lib[name]}`);
      }
    },
  ],
  [
    'withTimeout: a stuck task is cut off with a TimeoutError, its own signal aborted with it',
    async ({ withTimeout }) => {
      let own;
      const { reason } = await rejection(
        withTimeout((signal) => {
          own = signal;
          return never();
        }, 5)(),
      );
      same(reason?.name, 'TimeoutError', 'name');
      assert(isDomException(reason), 'not a DOMException');
      assert(own?.reason === reason, 'the task’s signal was not aborted with the same object');
    },
  ],
  [
    'withTimeout: a task in time settles with its value; the outer signal’s abort goes through',
    async ({ withTimeout }) => {
      same(await withTimeout(() => later(1, 'in time'), 1_000)(), 'in time', 'value');
      const controller = new AbortController();
      const call = withTimeout(() => never(), 60_000)(controller.signal);
      const reason = new Error('outer');
      controller.abort(reason);
      assert((await rejection(call)).reason === reason, 'not the outer reason');
    },
  ],
  [
    'retry: fails twice, then answers; a wait ends at once when the signal aborts',
    async ({ retry }) => {
      let calls = 0;
      const flaky = async () => {
        calls += 1;
        if (calls < 3) throw new Error(`failure ${calls}`);
        return 'third';
      };
      same(await retry(flaky, { delay: 1 })(), 'third', 'value');
      same(calls, 3, 'attempts');
      const controller = new AbortController();
      const waiting = retry(() => Promise.reject(new Error('down')), { delay: 60_000 })(
        controller.signal,
      );
      await later(5);
      controller.abort('stop');
      same((await rejection(waiting)).reason, 'stop', 'reason');
    },
  ],
  [
    'isolate(retry(withTimeout(task))) inside gather: contained, the siblings go on',
    async ({ gather, isolate, retry, withTimeout }) => {
      const result = await gather([
        isolate(
          retry(
            withTimeout(() => never(), 2),
            { retries: 1, delay: 1 },
          ),
          {
            fallback: 'fallback',
          },
        ),
        () => later(20, 'sibling'),
      ]);
      same(result, ['fallback', 'sibling'], 'results');
    },
  ],
  [
    'withTimeout: 100 listeners on the task’s own signal print no listener-cap warning',
    async ({ withTimeout }) => {
      const watch = watchListenerWarnings();
      await withTimeout((signal) => {
        for (let index = 0; index < 100; index++) signal.addEventListener('abort', () => {});
        return later(1, 'done');
      }, 1_000)();
      await later(10);
      same(watch.stop(), [], 'warnings');
    },
  ],
);

checks.push(
  [
    'map: an async generator mapped at concurrency 2, results in pull order; bad source rejects',
    async ({ map }) => {
      let running = 0;
      let most = 0;
      async function* ids() {
        for (let id = 0; id < 6; id++) {
          await later(1);
          yield id;
        }
      }
      const result = await map(
        ids(),
        async (id, signal, index) => {
          assert(signal instanceof AbortSignal, 'the mapper gets a signal');
          assert(index === id, `index ${index} for item ${id}`);
          running++;
          most = Math.max(most, running);
          await later(6 - id);
          running--;
          return id * 10;
        },
        { concurrency: 2 },
      );
      same(result, [0, 10, 20, 30, 40, 50], 'results');
      assert(most <= 2, `${most} mappers ran at once`);
      const { reason } = await rejection(map(42, (x) => x));
      assert(reason instanceof TypeError, 'a number is no source');
    },
  ],
  [
    'mapIterable: break aborts the running mappers and closes the source (return() called)',
    async ({ mapIterable }) => {
      let closed = false;
      const aborted = [];
      async function* endless() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          closed = true;
        }
      }
      const seen = [];
      for await (const value of mapIterable(
        endless(),
        // Item 0 finishes last of the first three: 1 and 2 are running when the loop breaks.
        (item, signal) =>
          item === 0
            ? later(5, item)
            : new Promise((resolve) => {
                signal.addEventListener('abort', () => {
                  aborted.push(signal.reason?.name);
                  resolve(item);
                });
              }),
        { concurrency: 3 },
      )) {
        seen.push(value);
        break;
      }
      await later(5);
      same(seen, [0], 'results read');
      assert(closed, 'the source was not closed');
      assert(aborted.length >= 1, 'no running mapper was aborted');
      assert(
        aborted.every((name) => name === 'AbortError'),
        `aborted with ${aborted.join(', ')}`,
      );
    },
  ],
);

/** Runs every check against `lib`; resolves with the names of those that failed. */
export async function runSmokeChecks(lib, log = console.log) {
  const failed = [];
  for (const [name, check] of checks) {
    try {
      await check(lib);
      log(`ok   ${name}`);
    } catch (error) {
      failed.push(name);
      log(`FAIL ${name}: ${error instanceof Mismatch ? error.message : (error?.stack ?? error)}`);
    }
  }
  return failed;
}

/** The runtime this file runs in, for the report. */
export function runtimeName() {
  if (typeof globalThis.Bun !== 'undefined') return `bun ${globalThis.Bun.version}`;
  if (typeof globalThis.Deno !== 'undefined') return `deno ${globalThis.Deno.version.deno}`;
  return `node ${globalThis.process.version}`;
}

/** Sets the exit code without forcing an exit (a live timer would then show). */
export function setExitCode(code) {
  if (typeof globalThis.Deno !== 'undefined') globalThis.Deno.exitCode = code;
  else globalThis.process.exitCode = code;
}
