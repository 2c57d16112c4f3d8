/**
 * Property tests of `gather` (SPEC gather 2–8) against the model in `model.ts`:
 * random task sets settling at random virtual ticks, under random options.
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
  expectSignalAbortedOnRejection,
  positional,
  show,
} from './check';
import { observe } from './harness';
import { simulate } from './model';
import { itHolds, PROPERTY_TIMEOUT, propertyParameters } from './settings';

const gathers = scenario({ apis: ['gather'], maxCalls: 2 });

describe('gather, property-based, against the model of the SPEC', () => {
  itHolds(
    'settles as the model says: with every value in input order, or with the first failure, the caller’s reason or the deadline’s, when the model says',
    gathers,
    async (s) => {
      expectAsModelled(simulate(s), await observe(s), ['settlement']);
    },
  );

  it(
    'resolves with the values in input order, whatever order the tasks settle in',
    async () => {
      const succeeding = scenario({
        apis: ['gather'],
        failures: false,
        interruptions: false,
        neverSettling: false,
      });
      await fc.assert(
        fc.asyncProperty(succeeding, async (s) => {
          const observation = await observe(s);
          for (const [index, call] of observation.calls.entries()) {
            const wanted = call.spec.tasks.map((task) => {
              if (task.kind === 'value' || task.kind === 'abortsCaller') return task.value;
              if (task.outcome.fulfils) return task.outcome.value;
              throw new Error('a succeeding scenario has a failing task');
            });
            const { settlement } = call;
            const value =
              settlement?.status === 'fulfilled'
                ? positional(settlement.value, call.spec)
                : undefined;
            const inOrder =
              value !== undefined &&
              value.length === wanted.length &&
              wanted.every((item, slot) => Object.is(item, value[slot]));
            if (!inOrder) {
              throw new Error(
                `call #${index} (${call.spec.input} input) settled ${show(settlement)}, ` +
                  `but must resolve with ${show(wanted)} in input order`,
              );
            }
          }
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  itHolds(
    'starts the task functions the model says, in input order, and none once it has failed or been aborted',
    gathers,
    async (s) => {
      const observation = await observe(s);
      expectNoStartOnceEnded(observation);
      expectAsModelled(simulate(s), observation, ['starts', 'thenables']);
    },
  );

  itHolds(
    'aborts the one signal it handed every started task function when it fails, with an AbortError caused by the failure',
    gathers,
    async (s) => {
      const observation = await observe(s);
      expectSignalAbortedOnRejection(observation);
      expectAsModelled(simulate(s), observation, ['signal']);
    },
  );

  itHolds(
    'with waitForCleanup, has no task function it started still running when it settles',
    scenario({ apis: ['gather'], maxCalls: 2, waitForCleanup: true }),
    async (s) => {
      expectNothingRunningAtSettlement(await observe(s));
    },
  );

  itHolds(
    'leaves no rejection unhandled, and once settled holds no timer and no listener on the caller’s signal',
    gathers,
    async (s) => {
      const observation = await observe(s);
      expectNoUnhandledRejection(observation.unhandled);
      expectReleasedOnSettlement(observation);
    },
  );
});
