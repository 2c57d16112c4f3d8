/**
 * Property tests of `isolate` (SPEC isolate 1–5) against the model in `model.ts`:
 * on its own, called with or without a signal, and inside `gather`.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isolateScenario, scenario } from './arbitraries';
import { expectAsModelled, expectIsolatedAsModelled, expectNoUnhandledRejection } from './check';
import { observe, observeIsolate } from './harness';
import { simulate, simulateIsolate } from './model';
import { itHolds, PROPERTY_TIMEOUT, propertyParameters } from './settings';

describe('isolate, property-based, against the model of the SPEC', () => {
  itHolds(
    'resolves with the value, or awaits onError and falls back, or lets the failure through (onError’s, or any once its signal is aborted), as the model says',
    isolateScenario,
    async (s) => {
      expectIsolatedAsModelled(simulateIsolate(s), await observeIsolate(s));
    },
  );

  itHolds(
    'leaves no rejection unhandled, a promise isolated and never called included',
    isolateScenario,
    async (s) => {
      expectNoUnhandledRejection((await observeIsolate(s)).unhandled);
    },
  );

  it(
    'inside gather, isolated tasks whose onError does not throw never cancel their siblings',
    async () => {
      const contained = scenario({
        apis: ['gather'],
        maxCalls: 2,
        onlyContainedFailures: true,
        interruptions: false,
      });
      await fc.assert(
        fc.asyncProperty(contained, async (s) => {
          const observation = await observe(s);
          for (const [index, call] of observation.calls.entries()) {
            if (call.signals.some((signal) => signal.aborted)) {
              throw new Error(`call #${index}: an isolated failure aborted the siblings' signal`);
            }
            if (call.settlement !== undefined && call.settlement.status !== 'fulfilled') {
              throw new Error(`call #${index}: an isolated failure rejected the gather`);
            }
          }
          expectAsModelled(simulate(s), observation, ['settlement', 'starts', 'signal']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );
});
