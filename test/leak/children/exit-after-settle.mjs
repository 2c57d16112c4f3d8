/**
 * A process that awaits one call with a long deadline, prints `settled` when the
 * call has settled, and then simply returns: it must exit at once (SPEC gather 7,
 * "once the call has settled the timer is cleared: it never keeps a process
 * alive"). It never calls process.exit(), which would hide a live timer.
 *
 *   node test/leak/children/exit-after-settle.mjs <case>
 *
 * Prints `settled <outcome>`; sets exit code 1 when the outcome is not the one
 * expected. `--list` prints the case names as JSON.
 */
import pLimit from 'p-limit';
import { gather, gatherSettled } from '../../../dist/index.js';

const failure = new Error('planned failure');
const never = () => new Promise(() => {});
const later = (value) => new Promise((resolve) => setTimeout(resolve, 5, value));

/** Each case: the call, and the outcome it must have. */
const cases = {
  'gather fulfils': {
    run: () => gather([() => 1, () => later(2), Promise.resolve(3)], { timeout: 60_000 }),
    expected: 'fulfilled [1,2,3]',
  },
  'gatherSettled fulfils': {
    run: () => gatherSettled([() => later(1), () => Promise.reject(failure)], { timeout: 60_000 }),
    expected: 'fulfilled [{"status":"fulfilled","value":1},{"status":"rejected","reason":{}}]',
  },
  'gather fails with the deadline pending': {
    run: () =>
      gather([() => never(), () => later(0).then(() => Promise.reject(failure))], {
        timeout: 60_000,
      }),
    expected: 'rejected planned failure',
  },
  // The sibling holds a 60 s timer of its own and clears it on abort: the process
  // exits only if the failure really aborted the call's signal.
  'gather fails and its sibling clears its own timer on abort': {
    run: () =>
      gather(
        [
          (signal) =>
            new Promise((_resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('sibling ran on')), 60_000);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                reject(signal.reason);
              });
            }),
          () => later(0).then(() => Promise.reject(failure)),
        ],
        { timeout: 60_000 },
      ),
    expected: 'rejected planned failure',
  },
  "gather is aborted by the caller's signal": {
    run: () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(failure), 5);
      return gather([() => never()], { signal: controller.signal, timeout: 60_000 });
    },
    expected: 'rejected planned failure',
  },
  'gather under concurrency fulfils': {
    run: () =>
      gather([() => later(1), () => later(2), () => later(3)], { concurrency: 1, timeout: 60_000 }),
    expected: 'fulfilled [1,2,3]',
  },
  'gather under a shared limit fulfils': {
    run: () => gather([() => later(1), () => later(2)], { limit: pLimit(1), timeout: 60_000 }),
    expected: 'fulfilled [1,2]',
  },
  'gather with waitForCleanup fails': {
    run: () =>
      gather(
        [
          (signal) =>
            new Promise((resolve) =>
              signal.addEventListener('abort', () => later(0).then(resolve)),
            ),
          () => later(0).then(() => Promise.reject(failure)),
        ],
        { timeout: 60_000, waitForCleanup: true },
      ),
    expected: 'rejected planned failure',
  },
  'nested gathers each with a deadline fulfil': {
    run: () =>
      gather(
        [
          (signal) => gather([() => later(1)], { signal, timeout: 60_000 }),
          (signal) => gatherSettled([() => later(2)], { signal, timeout: 60_000 }),
        ],
        { timeout: 60_000 },
      ),
    expected: 'fulfilled [[1],[{"status":"fulfilled","value":2}]]',
  },
  'gather with a deadline beyond 2^31-1 ms fulfils': {
    run: () => gather([() => later(1)], { timeout: 3_000_000_000 }),
    expected: 'fulfilled [1]',
  },
  // Control for the harness: a process that does hold a timer must be seen as one.
  'control: a bare 60 s timer keeps the process alive': {
    run: () => {
      setTimeout(() => {}, 60_000);
      return Promise.resolve('holding a timer');
    },
    expected: 'fulfilled "holding a timer"',
  },
};

const name = process.argv[2];
const chosen = cases[name];
if (name === '--list') {
  console.log(JSON.stringify(Object.keys(cases)));
} else if (chosen === undefined) {
  console.error(`Unknown case ${JSON.stringify(name)}; cases: ${Object.keys(cases).join(' | ')}`);
  process.exitCode = 2;
} else {
  const outcome = await chosen.run().then(
    (value) => `fulfilled ${JSON.stringify(value)}`,
    (reason) => `rejected ${reason instanceof Error ? reason.message : String(reason)}`,
  );
  console.log(`settled ${outcome}`);
  if (outcome !== chosen.expected) {
    console.error(`expected: ${chosen.expected}`);
    process.exitCode = 1;
  }
}
