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
 * refuses a signal (it throws), it is not asked again.
 * Pinned by test/listener-cap.test.ts and the runtime smoke checks (Node, Bun, Deno).
 */

type SetMaxListeners = (count: number, ...targets: EventTarget[]) => void;

/** How one signal's cap is lifted, found on first use; `null` where nothing is to be done. */
let lift: ((signal: AbortSignal) => void) | null | undefined;

/** Lets any number of listeners be added to `signal` without a warning, where the host warns. */
export function liftListenerCap(signal: AbortSignal): void {
  if (lift === undefined) lift = findLift();
  if (lift === null) return;
  try {
    lift(signal);
  } catch {
    lift = null;
  }
}

function findLift(): ((signal: AbortSignal) => void) | null {
  const host = globalThis as { process?: { getBuiltinModule?: unknown } };
  const getBuiltinModule = host.process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return null;
  let setMaxListeners: SetMaxListeners;
  try {
    const events = getBuiltinModule.call(host.process, 'node:events') as
      | { setMaxListeners?: unknown }
      | undefined;
    if (typeof events?.setMaxListeners !== 'function') return null;
    setMaxListeners = events.setMaxListeners as SetMaxListeners;
  } catch {
    return null;
  }
  return ownCapField(setMaxListeners) ?? ((signal) => setMaxListeners(0, signal));
}

/**
 * `setMaxListeners(0, signal)` costs about 1 µs (argument checks, a rest array, an
 * `instanceof`): a quarter of a whole 3-task gather. All it does to a signal is
 * write the signal's own cap field, so where a probe shows exactly that — the
 * field, found by its description, reads 0 after the call and nothing else is
 * needed — each signal gets that one write instead (0.1 µs). Anywhere else, the
 * function itself is called.
 */
function ownCapField(setMaxListeners: SetMaxListeners): ((signal: AbortSignal) => void) | null {
  const probe = new AbortController().signal;
  const field = Object.getOwnPropertySymbols(probe).find(
    (symbol) => symbol.description === 'events.maxEventTargetListeners',
  );
  if (field === undefined) return null;
  const fields = probe as unknown as Record<symbol, unknown>;
  if (fields[field] === 0) return null;
  setMaxListeners(0, probe);
  if (fields[field] !== 0) return null;
  return (signal) => {
    (signal as unknown as Record<symbol, unknown>)[field] = 0;
  };
}
