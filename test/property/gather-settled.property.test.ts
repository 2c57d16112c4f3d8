/**
 * Property tests of `gatherSettled` (SPEC gatherSettled 1–4) against the model in
 * `model.ts`: random task sets settling at random virtual ticks, under random options.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { scenario } from './arbitraries';
import {
  expectAsModelled,
  expectNoStartOnceEnded,
  expectNothingRunningAtSettlement,
  expectNoUnhandledRejection,
  expectReleasedOnSettlement,
} from './check';
import { observe } from './harness';
import { simulate } from './model';
import { PROPERTY_TIMEOUT, propertyParameters } from './settings';

const settledCalls = scenario({ apis: ['gatherSettled'], maxCalls: 2 });

describe('gatherSettled, property-based, against the model of the SPEC', () => {
  it(
    'resolves with the slots the model gives, in input order, when the model says, and never rejects',
    async () => {
      await fc.assert(
        fc.asyncProperty(settledCalls, async (s) => {
          expectAsModelled(simulate(s), await observe(s), ['settlement']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'starts the task functions the model says, in input order, and none once the caller or the deadline has aborted it',
    async () => {
      await fc.assert(
        fc.asyncProperty(settledCalls, async (s) => {
          const observation = await observe(s);
          expectNoStartOnceEnded(observation);
          expectAsModelled(simulate(s), observation, ['starts', 'thenables']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'never aborts its signal because a task failed; only the caller’s abort or the deadline does, with that reason',
    async () => {
      await fc.assert(
        fc.asyncProperty(settledCalls, async (s) => {
          const observation = await observe(s);
          const interrupted =
            s.caller.abortAt !== 'never' ||
            s.calls.some(
              (call) =>
                (call.timeout !== undefined && Number.isFinite(call.timeout)) ||
                call.tasks.some((task) => task.kind === 'abortsCaller'),
            );
          for (const [index, call] of observation.calls.entries()) {
            if (!interrupted && call.signals.some((signal) => signal.aborted)) {
              throw new Error(`call #${index} aborted its signal with nobody aborting it`);
            }
          }
          expectAsModelled(simulate(s), observation, ['signal']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'with waitForCleanup, has no task function it started still running when it resolves',
    async () => {
      const waiting = scenario({ apis: ['gatherSettled'], maxCalls: 2, waitForCleanup: true });
      await fc.assert(
        fc.asyncProperty(waiting, async (s) => {
          expectNothingRunningAtSettlement(await observe(s));
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'leaves no rejection unhandled, and once resolved holds no timer and no listener on the caller’s signal',
    async () => {
      await fc.assert(
        fc.asyncProperty(settledCalls, async (s) => {
          const observation = await observe(s);
          expectNoUnhandledRejection(observation.unhandled);
          expectReleasedOnSettlement(observation);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );
});
