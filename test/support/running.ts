import { type Deferred, deferred } from './deferred';

/**
 * Task functions that count how many of them are running (started, not yet
 * settled) and stay running until the test settles them, for checking a bound.
 */
export interface Probe {
  /** Labels of the task functions started, in start order. */
  readonly started: readonly string[];
  /** Task functions started and not yet settled. */
  readonly running: number;
  /** The largest {@link running} has ever been. */
  readonly maxRunning: number;
  /** A task function that resolves with what {@link resolve} gives it. */
  task(label: string): (signal: AbortSignal) => Promise<string>;
  /** The signal the task function `label` was called with, if it was called. */
  signalOf(label: string): AbortSignal | undefined;
  /** Settles the task function `label` (before or after it starts) with `value`. */
  resolve(label: string, value?: string): void;
  /** Rejects the task function `label` (before or after it starts) with `reason`. */
  reject(label: string, reason: unknown): void;
}

export function probe(): Probe {
  const started: string[] = [];
  const signals = new Map<string, AbortSignal>();
  const outcomes = new Map<string, Deferred<string>>();
  let running = 0;
  let maxRunning = 0;

  const outcomeOf = (label: string): Deferred<string> => {
    let outcome = outcomes.get(label);
    if (outcome === undefined) {
      outcome = deferred<string>();
      // A task never started must not report its rejection unhandled.
      outcome.promise.catch(() => {});
      outcomes.set(label, outcome);
    }
    return outcome;
  };

  return {
    started,
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
    task(label) {
      return async (signal) => {
        started.push(label);
        signals.set(label, signal);
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          return await outcomeOf(label).promise;
        } finally {
          running--;
        }
      };
    },
    signalOf(label) {
      return signals.get(label);
    },
    resolve(label, value = label) {
      outcomeOf(label).resolve(value);
    },
    reject(label, reason) {
      outcomeOf(label).reject(reason);
    },
  };
}

/** `count` labels: `prefix0`, `prefix1`, … */
export function labels(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index}`);
}
