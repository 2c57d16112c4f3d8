/**
 * Node prints `MaxListenersExceededWarning` once more than 10 listeners are added
 * to one `AbortSignal`. A signal p-gather makes (a call's, a group's) is shared by
 * all of that call's tasks, so a gather of 11 task functions that each pass their
 * signal to `timers/promises`, `events.once` or an `addEventListener` of their own
 * would warn — about listeners the user added on purpose, one per task. So the cap
 * is lifted on those signals, and on no other: a caller's own signal keeps Node's
 * leak warning (p-gather puts at most one listener there).
 *
 * `node:events` is reached at run time through `process.getBuiltinModule` (Node
 * ≥ 20.16), never imported, so the build has no Node built-in: where it is absent
 * (browsers, older Node) nothing is done, and where a runtime's `setMaxListeners`
 * refuses the signal (it throws), it is not asked again.
 * Pinned by test/listener-cap.test.ts and the runtime smoke checks (Node, Bun, Deno).
 */

type SetMaxListeners = (count: number, ...targets: EventTarget[]) => void;

/** `undefined` until first looked up; `null` where there is nothing to call. */
let setMaxListeners: SetMaxListeners | null | undefined;

function findSetMaxListeners(): SetMaxListeners | null {
  const host = globalThis as { process?: { getBuiltinModule?: unknown } };
  const getBuiltinModule = host.process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return null;
  try {
    const events = getBuiltinModule.call(host.process, 'node:events') as
      | { setMaxListeners?: unknown }
      | undefined;
    const found = events?.setMaxListeners;
    return typeof found === 'function' ? (found as SetMaxListeners) : null;
  } catch {
    return null;
  }
}

/** Lets any number of listeners be added to `signal` without a warning, where the host warns. */
export function liftListenerCap(signal: AbortSignal): void {
  if (setMaxListeners === undefined) setMaxListeners = findSetMaxListeners();
  if (setMaxListeners === null) return;
  try {
    // 0: no limit, as `emitter.setMaxListeners(0)` means.
    setMaxListeners(0, signal);
  } catch {
    setMaxListeners = null;
  }
}
