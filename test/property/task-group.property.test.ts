/**
 * Property tests of `TaskGroup` (SPEC Beyond gather › TaskGroup 1–7) against the
 * model in `model.ts`: a group constructed at tick 0 under random options (caller's
 * signal, deadline, `concurrency` or a shared `p-limit`), spawned random task
 * functions — in the call phase, at later ticks, and from inside its running task
 * functions (as they start, or at their own event) — joined or disposed (or both, or
 * neither), perhaps aborted by `group.abort`, the caller or the deadline.
 */
import { describe } from 'vitest';
import { groupScenario } from './arbitraries';
import {
  expectGroupAsModelled,
  expectGroupReleased,
  expectGroupStartsKept,
  expectNoUnhandledRejection,
} from './check';
import { observeGroup } from './harness';
import { simulateGroup } from './model';
import { itHolds } from './settings';

/** Every spawned promise is read at once (ignored ones are the last property's). */
const groups = groupScenario({ ignoredPromises: false });

describe('TaskGroup, property-based, against the model of the SPEC', () => {
  itHolds(
    'calls the task functions the model says, when, each with group.signal — from spawn itself unless queued under a bound — never more than the bound, none once the group has ended',
    groups,
    async (s) => {
      const observation = await observeGroup(s);
      expectGroupStartsKept(observation, s);
      expectGroupAsModelled(simulateGroup(s), observation, ['starts']);
    },
  );

  itHolds(
    'settles each spawned promise as the model says — its own task’s outcome, or the group’s reason when never called — throws a TypeError once the group is closed, and aborts group.signal as the model says',
    groups,
    async (s) => {
      expectGroupAsModelled(simulateGroup(s), await observeGroup(s), ['spawns', 'signal']);
    },
  );

  itHolds(
    'settles join() and [Symbol.asyncDispose]() as the model says, only once every started task function has settled',
    groups,
    async (s) => {
      const observation = await observeGroup(s);
      expectGroupReleased(observation);
      expectGroupAsModelled(simulateGroup(s), observation, ['join', 'dispose']);
    },
  );

  itHolds(
    'leaves no rejection unhandled — spawned promises the caller ignores included — and once settled holds no timer and no listener on the caller’s signal',
    groupScenario(),
    async (s) => {
      const observation = await observeGroup(s);
      expectNoUnhandledRejection(observation.unhandled);
      expectGroupReleased(observation);
    },
  );
});
