/**
 * Property tests of the concurrency limit (SPEC Concurrency limit 1–3): a call's
 * own `concurrency` window and a `p-limit` shared by several calls, against the
 * model in `model.ts`.
 */
import { describe } from 'vitest';
import { scenario } from './arbitraries';
import { expectAsModelled, expectNoStartOnceEnded } from './check';
import { observe } from './harness';
import { simulate } from './model';
import { itHolds } from './settings';

const limited = scenario({ maxCalls: 2, limits: ['concurrency', 'shared'] });

describe('concurrency limits, property-based, against the model of the SPEC', () => {
  itHolds(
    'never runs more than `concurrency` task functions of a call at once',
    scenario({ maxCalls: 2, limits: ['concurrency'] }),
    async (s) => {
      const observation = await observe(s);
      for (const [index, call] of observation.calls.entries()) {
        const { limit } = call.spec;
        if (limit.kind === 'concurrency' && call.maxRunning > limit.n) {
          throw new Error(
            `call #${index} ran ${call.maxRunning} at once under concurrency ${limit.n}`,
          );
        }
      }
    },
  );

  itHolds(
    'never runs more task functions than a shared p-limit allows, across calls, even after a call has settled',
    scenario({ maxCalls: 3, limits: ['shared'] }),
    async (s) => {
      const observation = await observe(s);
      if (observation.sharedMaxRunning > s.sharedLimit) {
        throw new Error(
          `${observation.sharedMaxRunning} ran at once under p-limit(${s.sharedLimit})`,
        );
      }
    },
  );

  itHolds(
    'starts task functions in input order, the first ones synchronously, when the model says',
    limited,
    async (s) => {
      const observation = await observe(s);
      for (const [index, call] of observation.calls.entries()) {
        const order = call.starts.map((start) => start.index);
        if (order.some((slot, at) => at > 0 && slot < (order[at - 1] ?? 0))) {
          throw new Error(`call #${index} started its task functions in the order ${order}`);
        }
      }
      expectAsModelled(simulate(s), observation, ['starts']);
    },
  );

  itHolds(
    'starts no queued task function once its call has failed or been aborted, and settles as the model says',
    limited,
    async (s) => {
      const observation = await observe(s);
      expectNoStartOnceEnded(observation);
      expectAsModelled(simulate(s), observation, ['settlement', 'signal']);
    },
  );
});
