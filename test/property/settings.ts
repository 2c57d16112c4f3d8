/**
 * How many runs each property makes, and from which seed: deterministic by default,
 * so every `npm test` checks the same scenarios.
 *
 * - `PGATHER_PROPERTY_RUNS` (default 1,000): runs per property. The soak run uses 50,000.
 * - `PGATHER_PROPERTY_SEED` (default {@link RECORDED_SEED}): the seed. On failure,
 *   fast-check prints the seed and the `path` of the shrunk counterexample.
 * - `PGATHER_PROPERTY_PATH`: replays that counterexample alone (with its seed).
 */
import fc, { type Arbitrary, type Parameters } from 'fast-check';
import { it } from 'vitest';

/** The seed every run uses unless told otherwise. */
export const RECORDED_SEED = 1_718_204_931;

function integerFromEnvironment(name: string, fallback: number, minimum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const parsed = Number(raw);
  if (!Number.isSafeInteger(parsed) || parsed < minimum) {
    throw new Error(`${name} must be an integer ≥ ${minimum}, got ${JSON.stringify(raw)}`);
  }
  return parsed;
}

export const PROPERTY_RUNS = integerFromEnvironment('PGATHER_PROPERTY_RUNS', 1_000, 1);
export const PROPERTY_SEED = integerFromEnvironment(
  'PGATHER_PROPERTY_SEED',
  RECORDED_SEED,
  Number.MIN_SAFE_INTEGER,
);
const PROPERTY_PATH = process.env.PGATHER_PROPERTY_PATH?.trim() || undefined;

/** fast-check's parameters for every property of this suite. */
export function propertyParameters<Ts>(): Parameters<Ts> {
  const parameters: Parameters<Ts> = { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED };
  if (PROPERTY_PATH !== undefined) parameters.path = PROPERTY_PATH;
  return parameters;
}

/** A vitest timeout that grows with the number of runs (a run takes well under a millisecond). */
export const PROPERTY_TIMEOUT = 60_000 + PROPERTY_RUNS * 20;

/**
 * A test that the property `check` holds for every value `arbitrary` generates,
 * with this suite's runs, seed and timeout.
 */
export function itHolds<T>(
  name: string,
  arbitrary: Arbitrary<T>,
  check: (value: T) => Promise<void>,
): void {
  it(
    name,
    () => fc.assert(fc.asyncProperty(arbitrary, check), propertyParameters()),
    PROPERTY_TIMEOUT,
  );
}
