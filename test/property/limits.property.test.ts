/**
 * Property tests of the concurrency limit (SPEC Concurrency limit 1–3): a call's
 * own `concurrency` window and a `p-limit` shared by several calls, against the
 * model in `model.ts`.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { scenario } from './arbitraries';
import { expectAsModelled, expectNoStartOnceEnded } from './check';
import { observe } from './harness';
import { simulate } from './model';
import { PROPERTY_TIMEOUT, propertyParameters } from './settings';

const limited = scenario({ maxCalls: 2, limits: ['concurrency', 'shared'] });

describe('concurrency limits, property-based, against the model of the SPEC', () => {
  it(
    'never runs more than `concurrency` task functions of a call at once',
    async () => {
      const windows = scenario({ maxCalls: 2, limits: ['concurrency'] });
      await fc.assert(
        fc.asyncProperty(windows, async (s) => {
          const observation = await observe(s);
          for (const [index, call] of observation.calls.entries()) {
            const { limit } = call.spec;
            if (limit.kind === 'concurrency' && call.maxRunning > limit.n) {
              throw new Error(
                `call #${index} ran ${call.maxRunning} at once under concurrency ${limit.n}`,
              );
            }
          }
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'never runs more task functions than a shared p-limit allows, across calls, even after a call has settled',
    async () => {
      const sharing = scenario({ maxCalls: 3, limits: ['shared'] });
      await fc.assert(
        fc.asyncProperty(sharing, async (s) => {
          const observation = await observe(s);
          if (observation.sharedMaxRunning > s.sharedLimit) {
            throw new Error(
              `${observation.sharedMaxRunning} ran at once under p-limit(${s.sharedLimit})`,
            );
          }
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'starts task functions in input order, the first ones synchronously, when the model says',
    async () => {
      await fc.assert(
        fc.asyncProperty(limited, async (s) => {
          const observation = await observe(s);
          for (const [index, call] of observation.calls.entries()) {
            const order = call.starts.map((start) => start.index);
            if (order.some((slot, at) => at > 0 && slot < (order[at - 1] ?? 0))) {
              throw new Error(`call #${index} started its task functions in the order ${order}`);
            }
          }
          expectAsModelled(simulate(s), observation, ['starts']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'starts no queued task function once its call has failed or been aborted, and settles as the model says',
    async () => {
      await fc.assert(
        fc.asyncProperty(limited, async (s) => {
          const observation = await observe(s);
          expectNoStartOnceEnded(observation);
          expectAsModelled(simulate(s), observation, ['settlement', 'signal']);
        }),
        propertyParameters(),
      );
    },
    PROPERTY_TIMEOUT,
  );
});
