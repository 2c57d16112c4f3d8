// `await using` as the README tells a Node 20 user to write it, compiled with
// tsconfig.node20.json and run by run-node20.mjs: it throws if anything differs.
import { TaskGroup } from 'p-gather';

/**
 * The README's check: `instanceof SuppressedError` throws a `ReferenceError` on Node
 * 20, which has no such global (TypeScript's lowered `await using` makes an `Error`
 * named `"SuppressedError"` there).
 */
function isSuppressedError(error: unknown): error is SuppressedError {
  return error instanceof Error && error.name === 'SuppressedError';
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`await using: ${what}`);
}

// The block ends: the group is joined, every task has settled.
let finished = 0;
{
  await using group = new TaskGroup({ concurrency: 2 });
  for (let i = 0; i < 3; i++) {
    group.spawn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished++;
    });
  }
}
check(finished === 3, `the block ended with ${finished} of 3 tasks finished`);

// A task fails and the block itself does not: the block throws that failure, plain.
const boom = new Error('boom');
let caught: unknown;
try {
  await using group = new TaskGroup();
  group.spawn(async () => {
    throw boom;
  });
} catch (error) {
  caught = error;
}
check(caught === boom, `a failed group threw ${String(caught)}, not the task's failure`);

// The block throws and the group fails too: one SuppressedError, told apart without
// the global.
const blockError = new Error('the block failed');
caught = undefined;
try {
  await using group = new TaskGroup();
  group.spawn(async () => {
    throw boom;
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  throw blockError;
} catch (error) {
  caught = error;
}
check(isSuppressedError(caught), `expected a SuppressedError, got ${String(caught)}`);
if (isSuppressedError(caught)) {
  check(caught.error === boom, "the SuppressedError's `error` is not the group's failure");
  check(caught.suppressed === blockError, "its `suppressed` is not the block's error");
}
const hasGlobal = typeof SuppressedError !== 'undefined';

// The README's pattern: abort the group when the block fails.
let aborted = false;
caught = undefined;
try {
  await using group = new TaskGroup();
  try {
    group.spawn(
      (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener(
            'abort',
            () => {
              aborted = true;
              resolve();
            },
            { once: true },
          );
        }),
    );
    throw blockError;
  } catch (error) {
    group.abort(error);
    throw error;
  }
} catch (error) {
  caught = error;
}
check(caught === blockError && aborted, 'group.abort(error) in the catch did not stop the task');

console.log(`await using: 4 cases passed (SuppressedError global: ${hasGlobal ? 'yes' : 'no'})`);
