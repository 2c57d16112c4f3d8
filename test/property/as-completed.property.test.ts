/**
 * Property tests of `asCompleted` (SPEC asCompleted 1–6) against the model in
 * `model.ts`: random task sets settling at random virtual ticks, under random
 * options, read by random loops — at once or later, one `next()` at a time or
 * several, to the end or leaving early.
 */
import { describe } from 'vitest';
import { scenario } from './arbitraries';
import {
  expectAsModelled,
  expectBoundsKept,
  expectNoStartOnceEnded,
  expectNothingRunningAtSettlement,
  expectNoUnhandledRejection,
  expectReleasedOnSettlement,
} from './check';
import { type Observation, observe } from './harness';
import { simulate } from './model';
import { itHolds } from './settings';

const loops = scenario({ apis: ['asCompleted'], maxCalls: 2 });

/**
 * Needs no model: no slot is handed out twice, and a loop that reads to the end
 * (a `next()` resolved done) has been handed every slot exactly once.
 */
function expectEverySlotOnce(observation: Observation): void {
  for (const [index, call] of observation.calls.entries()) {
    const keys: unknown[] = [];
    let done = false;
    for (const { settled } of call.loop?.steps ?? []) {
      if (settled?.status !== 'fulfilled') continue;
      const result = settled.value as IteratorResult<{ key: unknown }>;
      if (result.done === true) done = true;
      else keys.push(result.value.key);
    }
    const repeated = keys.find((key, at) => keys.indexOf(key) !== at);
    if (repeated !== undefined) {
      throw new Error(`call #${index} handed out the slot ${String(repeated)} twice`);
    }
    if (done && call.loop?.returned === undefined && keys.length !== call.spec.tasks.length) {
      throw new Error(
        `call #${index} ended its iteration after ${keys.length} of ${call.spec.tasks.length} slots`,
      );
    }
  }
}

describe('asCompleted, property-based, against the model of the SPEC', () => {
  itHolds(
    'hands its loop the entries the model gives, in completion order, to next() calls in call order, when the model says; buffers what nobody asked for yet; ends, or lets the loop leave, when the model says',
    loops,
    async (s) => {
      const observation = await observe(s);
      expectEverySlotOnce(observation);
      expectAsModelled(simulate(s), observation, ['iteration', 'settlement']);
    },
  );

  itHolds(
    'starts the task functions the model says, as gatherSettled does, none once its loop has left or it was aborted, never more than the bound',
    loops,
    async (s) => {
      const observation = await observe(s);
      expectNoStartOnceEnded(observation);
      expectBoundsKept(observation, s.sharedLimit);
      expectAsModelled(simulate(s), observation, ['starts', 'thenables']);
    },
  );

  itHolds(
    'aborts its signal only when its loop leaves early (an AbortError whose own cause is undefined) or with the caller’s reason or the deadline’s, never because a task failed',
    loops,
    async (s) => {
      expectAsModelled(simulate(s), await observe(s), ['signal']);
    },
  );

  itHolds(
    'with waitForCleanup, has no task function it started still running when the loop is over — return() resolved or the iteration ended — and hands out what the model says',
    scenario({ apis: ['asCompleted'], maxCalls: 2, waitForCleanup: true }),
    async (s) => {
      const observation = await observe(s);
      expectNothingRunningAtSettlement(observation);
      expectAsModelled(simulate(s), observation, ['iteration', 'settlement']);
    },
  );

  itHolds(
    'leaves no rejection unhandled, and once its loop is over holds no timer and no listener on the caller’s signal',
    loops,
    async (s) => {
      const observation = await observe(s);
      expectNoUnhandledRejection(observation.unhandled);
      expectReleasedOnSettlement(observation);
    },
  );
});
