import type { Settings } from './options';
import type { StartPolicy } from './run';

/**
 * The seam between the core and the concurrency layer: which {@link StartPolicy}
 * decides when the task functions of a call start. `undefined` — no limit — lets
 * the run call every task function at once, at no cost.
 */
export function choosePolicy(_settings: Settings): StartPolicy | undefined {
  return undefined;
}
