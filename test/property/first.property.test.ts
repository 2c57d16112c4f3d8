/**
 * Property tests of `first` (SPEC first 1–4) against the model in `model.ts`: random
 * task sets, failing as often as they fulfil, settling at random virtual ticks,
 * under random options.
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
  show,
} from './check';
import { observe } from './harness';
import { simulate } from './model';
import { itHolds } from './settings';

const firsts = scenario({ apis: ['first'], maxCalls: 2, mostlyFailing: true });

/** Nothing interrupts, and a bound holds the next tasks back: "try the next mirror". */
const mirrors = scenario({
  apis: ['first'],
  maxCalls: 2,
  mostlyFailing: true,
  interruptions: false,
  limits: ['concurrency', 'shared'],
});

describe('first, property-based, against the model of the SPEC', () => {
  itHolds(
    'settles as the model says: with the first value to fulfil, an AggregateError of every reason in input order, or the caller’s reason or the deadline’s, when the model says',
    firsts,
    async (s) => {
      expectAsModelled(simulate(s), await observe(s), ['settlement']);
    },
  );

  itHolds(
    'starts the task functions the model says: none after a winner, under a bound the next only when a running one fails, none once ended, never more than the bound',
    firsts,
    async (s) => {
      const observation = await observe(s);
      expectNoStartOnceEnded(observation);
      expectBoundsKept(observation, s.sharedLimit);
      expectAsModelled(simulate(s), observation, ['starts', 'thenables']);
    },
  );

  itHolds(
    'under a bound, starts the next task only when a running one fails, and rejects with every reason in input order when all fail, as the model says',
    mirrors,
    async (s) => {
      const observation = await observe(s);
      expectBoundsKept(observation, s.sharedLimit);
      expectAsModelled(simulate(s), observation, ['settlement', 'starts', 'signal']);
    },
  );

  itHolds(
    'aborts the one signal of its task functions when a task wins, with an AbortError whose own cause is undefined, or with the caller’s reason or the deadline’s',
    firsts,
    async (s) => {
      const observation = await observe(s);
      for (const [index, call] of observation.calls.entries()) {
        // Needs no model: a win with losers started aborts them with a cause-less AbortError.
        const [signal] = call.signals;
        if (call.settlement?.status !== 'fulfilled' || signal === undefined) continue;
        if (call.starts.length < 2) continue;
        const reason: unknown = signal.reason;
        const cause =
          reason instanceof DOMException
            ? Object.getOwnPropertyDescriptor(reason, 'cause')
            : undefined;
        const aborted =
          signal.aborted &&
          reason instanceof DOMException &&
          reason.name === 'AbortError' &&
          cause !== undefined &&
          cause.value === undefined;
        if (!aborted) {
          throw new Error(
            `call #${index} resolved, but the signal of its losers ` +
              (signal.aborted ? `was aborted with ${show(reason)}` : 'was not aborted'),
          );
        }
      }
      expectAsModelled(simulate(s), observation, ['signal']);
    },
  );

  itHolds(
    'with waitForCleanup, settles as the model says, with no task function it started still running',
    scenario({ apis: ['first'], maxCalls: 2, mostlyFailing: true, waitForCleanup: true }),
    async (s) => {
      const observation = await observe(s);
      expectNothingRunningAtSettlement(observation);
      expectAsModelled(simulate(s), observation, ['settlement']);
    },
  );

  itHolds(
    'leaves no rejection unhandled, and once settled holds no timer and no listener on the caller’s signal',
    firsts,
    async (s) => {
      const observation = await observe(s);
      expectNoUnhandledRejection(observation.unhandled);
      expectReleasedOnSettlement(observation);
    },
  );
});
