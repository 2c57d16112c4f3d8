/**
 * Property tests of `gatherSettled` (SPEC gatherSettled 1–4) against the model in
 * `model.ts`: random task sets settling at random virtual ticks, under random options.
 */
import { describe } from 'vitest';
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
import { itHolds } from './settings';

const settledCalls = scenario({ apis: ['gatherSettled'], maxCalls: 2 });

describe('gatherSettled, property-based, against the model of the SPEC', () => {
  itHolds(
    'resolves with the slots the model gives, in input order, when the model says, and never rejects',
    settledCalls,
    async (s) => {
      expectAsModelled(simulate(s), await observe(s), ['settlement']);
    },
  );

  itHolds(
    'starts the task functions the model says, in input order, and none once the caller or the deadline has aborted it',
    settledCalls,
    async (s) => {
      const observation = await observe(s);
      expectNoStartOnceEnded(observation);
      expectAsModelled(simulate(s), observation, ['starts', 'thenables']);
    },
  );

  itHolds(
    'never aborts its signal because a task failed; only the caller’s abort or the deadline does, with that reason',
    settledCalls,
    async (s) => {
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
    },
  );

  itHolds(
    'with waitForCleanup, has no task function it started still running when it resolves',
    scenario({ apis: ['gatherSettled'], maxCalls: 2, waitForCleanup: true }),
    async (s) => {
      expectNothingRunningAtSettlement(await observe(s));
    },
  );

  itHolds(
    'leaves no rejection unhandled, and once resolved holds no timer and no listener on the caller’s signal',
    settledCalls,
    async (s) => {
      const observation = await observe(s);
      expectNoUnhandledRejection(observation.unhandled);
      expectReleasedOnSettlement(observation);
    },
  );
});
