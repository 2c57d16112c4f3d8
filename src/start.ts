import { ConcurrencyWindow } from './limits/concurrency-window';
import { SharedLimit } from './limits/shared-limit';
import type { Settings } from './options';
import type { StartPolicy } from './run';

/**
 * The seam between the core and the concurrency layer: which {@link StartPolicy}
 * decides when the task functions of a call start. `undefined` — no limit, or a
 * window at least as wide as the input — lets the run call every task function at
 * once, at no cost.
 */
export function createStartPolicy(settings: Settings, taskCount: number): StartPolicy | undefined {
  if (settings.limit !== undefined) return new SharedLimit(settings.limit);
  if (settings.concurrency < taskCount) return new ConcurrencyWindow(settings.concurrency);
  return undefined;
}
