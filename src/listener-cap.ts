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
 * (browsers, older Node) nothing is done, and where a runtime refuses (it throws),
 * it is not asked again.
 * Pinned by test/listener-cap.test.ts and the runtime smoke checks (Node, Bun, Deno).
 */

type Lift = (signal: AbortSignal) => void;

const setField = Reflect.set;

/** How one signal's cap is lifted, found on first use; `null` where nothing is to be done. */
let lift: Lift | null | undefined;

/**
 * One controller, never handed out, kept for the module's life (its signal is the
 * probe of `findLift`).
 * V8 reaches the hidden class of an AbortController only through weakly held
 * transitions: when a full collection finds none alive (no call in flight), it
 * frees the class and clears what the code learnt about it, and `begin`, which
 * inlines the making of the call's signal, was deoptimised at `controller.signal`
 * ("Insufficient type feedback") and compiled again after every collection: 20 to
 * 50 times in 400 calls of gather(1e3), each run partly unoptimised. ARCHITECTURE.md,
 * "After a full collection".
 */
let keptController: AbortController | undefined;

/**
 * A controller whose signal p-gather hands out (a call's, a stream's, a group's, a
 * wrapper's own), with the cap lifted: its tasks may hand the signal to as many
 * `fetch`es and timers as they like.
 */
export function ownController(): AbortController {
  const controller = new AbortController();
  if (lift === undefined) {
    keptController = new AbortController();
    lift = findLift(keptController.signal);
  }
  try {
    lift?.(controller.signal);
  } catch {
    lift = null;
  }
  return controller;
}

/**
 * `setMaxListeners(0, signal)` costs about 1 µs (argument checks, a rest array, an
 * `instanceof`): a quarter of a whole 3-task gather. All it does to a signal is
 * write the signal's own cap field, so where a probe shows exactly that — after
 * the call, the field described `events.maxEventTargetListeners` reads 0 — each
 * signal gets that one write instead (0.1 µs). Anywhere else, the function itself
 * is called.
 */
function findLift(probed: AbortSignal): Lift | null {
  const probe = probed as AbortSignal & Record<symbol, unknown>;
  try {
    const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
    const setMaxListeners = (
      host.process?.getBuiltinModule?.('node:events') as
        | { setMaxListeners?: (count: number, ...targets: EventTarget[]) => void }
        | undefined
    )?.setMaxListeners;
    if (typeof setMaxListeners !== 'function') return null;
    setMaxListeners(0, probe);
    const field = Object.getOwnPropertySymbols(probe).find(
      (symbol) => symbol.description === 'events.maxEventTargetListeners' && probe[symbol] === 0,
    );
    return field === undefined
      ? (signal) => setMaxListeners(0, signal)
      : (signal) => {
          // Not `signal[field] = 0`: Node gives every AbortSignal a class of its own,
          // which a full collection frees with the signal; a store site that learnt
          // them and was inlined into `begin` deoptimised it once per call after
          // each collection ("wrong map"). The builtin learns nothing.
          setField(signal, field, 0);
        };
  } catch {
    return null;
  }
}
