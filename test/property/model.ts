/**
 * An executable model of SPEC.md — `gather`, `gatherSettled`, `isolate` and the
 * concurrency limit — written from the SPEC, not from `src/`: a second statement of
 * the contract. Given a scenario, it says what each call must settle with and when,
 * which task functions it must start and when, and how its signal must be aborted.
 *
 * The world it models is virtual and deterministic (the harness builds the same one
 * for the real library):
 * - Time is counted in whole ticks. The calls are made at tick 0, in the *call
 *   phase*; every later happening is an *event* at some tick. Events run one at a
 *   time, by tick, then in the order they were scheduled, and each one is over — with
 *   every microtask it causes — before the next begins.
 * - Nothing a scenario contains settles by itself in a microtask: a task function
 *   settles as it returns or at an event (its own, or its reaction to its signal),
 *   a promise or thenable passed in at an event. So "the first failure observed"
 *   never depends on how many microtask turns the library takes, which the SPEC
 *   leaves open (gather 5). For the same reason `isolate` wraps only asynchronous
 *   task functions inside a call (an isolated task settles a few microtasks after
 *   the event of the function it wraps); `simulateIsolate` covers the rest.
 * - A deadline is a timer armed in the call phase: it fires at its tick after the
 *   events scheduled before the calls (the caller's abort, promises passed in) and
 *   before those scheduled later (task functions' own events).
 * - A shared limit is a `p-limit`: it calls the queued wrappers first in, first out,
 *   in microtasks — so after the synchronous part of the phase or event.
 */

// ---------------------------------------------------------------------------------
// Scenarios: what the arbitraries generate.
// ---------------------------------------------------------------------------------

export type Api = 'gather' | 'gatherSettled';

/** How a task ends: with a value, or with a failure reason (any value at all). */
export type Outcome =
  | { readonly fulfils: true; readonly value: unknown }
  | { readonly fulfils: false; readonly reason: unknown };

/** Ticks from now, or never. */
export type Delay = number | 'never';

/** What a running asynchronous task function does when its signal aborts. */
export type OnAbort =
  | { readonly kind: 'ignores' }
  | { readonly kind: 'rejects'; readonly after: number | 'at once' }
  | { readonly kind: 'fulfils'; readonly after: number | 'at once'; readonly value: unknown };

/** An asynchronous task function wrapped in `isolate(fn, { fallback, onError })`. */
export interface Isolation {
  readonly onError: 'absent' | 'returns' | 'throws' | 'rejects';
  readonly fallback: unknown;
  /** What `onError` throws or rejects with. */
  readonly failure: unknown;
}

export type TaskSpec =
  /** A plain value. */
  | { readonly kind: 'value'; readonly value: unknown }
  /** A native promise or a thenable passed in, settling at tick `at`. */
  | { readonly kind: 'promise' | 'thenable'; readonly at: Delay; readonly outcome: Outcome }
  /** A task function that returns a plain value or throws. */
  | { readonly kind: 'sync'; readonly outcome: Outcome }
  /** A task function that aborts the caller's signal, then returns `value`. */
  | { readonly kind: 'abortsCaller'; readonly value: unknown }
  /** A task function returning a promise or thenable that settles `after` ticks after its start. */
  | {
      readonly kind: 'async';
      readonly after: Delay;
      readonly outcome: Outcome;
      readonly returns: 'promise' | 'thenable';
      readonly onAbort: OnAbort;
      readonly isolate: Isolation | undefined;
    };

export type Limit =
  | { readonly kind: 'none' }
  | { readonly kind: 'concurrency'; readonly n: number }
  /** The scenario's one `p-limit`, shared by every call that uses it. */
  | { readonly kind: 'shared' };

export interface CallSpec {
  readonly api: Api;
  readonly tasks: readonly TaskSpec[];
  /**
   * How the tasks are passed (SPEC gather 1): an array, a generator, a plain object
   * or a Map with the keys `task 0`, `task 1`, … The model reads every shape by
   * position: input order is key order.
   */
  readonly input: 'array' | 'generator' | 'object' | 'map';
  readonly usesCallerSignal: boolean;
  /** Milliseconds (ticks); `undefined` is absent; `Infinity` is none. */
  readonly timeout: number | undefined;
  readonly waitForCleanup: boolean;
  readonly limit: Limit;
}

export interface Scenario {
  /** Made one after another, synchronously, at tick 0. */
  readonly calls: readonly CallSpec[];
  /** One caller's signal, passed to the calls that use it. */
  readonly caller: {
    readonly flavour: 'AbortController' | 'signal-like';
    readonly abortAt: 'before' | Delay;
    readonly reason: unknown;
  };
  /** The concurrency of the shared `p-limit`. */
  readonly sharedLimit: number;
}

// ---------------------------------------------------------------------------------
// What the model says.
// ---------------------------------------------------------------------------------

/** The call phase, or the tick of the event during which something happened. */
export type Moment = 'call' | number;

/** A rejection reason as the SPEC fixes it. */
export type Reason =
  /** This very value. */
  | { readonly kind: 'value'; readonly value: unknown }
  /** The caller's `signal.reason`, the same object. */
  | { readonly kind: 'caller' }
  /** A `"TimeoutError"`, the same object everywhere in one call. */
  | { readonly kind: 'timeout' }
  /** An `"AbortError"` whose own `cause` is this reason. */
  | { readonly kind: 'abort'; readonly cause: Reason }
  /**
   * The `"AbortError"` an `AbortController` makes when aborted with `undefined`: a
   * caller's signal-like object may abort with `undefined`, and the call rejects with
   * it, but no `AbortSignal` can carry `undefined` as its reason (SPEC gather 6 asks
   * for "the same reason (same object)", which the platform cannot give here).
   */
  | { readonly kind: 'default abort' };

export type Slot =
  | { readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly status: 'rejected'; readonly reason: Reason };

export type CallResult =
  | { readonly status: 'fulfilled'; readonly values: readonly unknown[] }
  | { readonly status: 'fulfilled'; readonly slots: readonly Slot[] }
  | { readonly status: 'rejected'; readonly reason: Reason };

export interface ExpectedStart {
  readonly index: number;
  readonly at: Moment;
  /** Called during the `gather(...)` call itself. */
  readonly synchronous: boolean;
}

/** How often a thenable passed in may have its `then` called. */
export type ThenCalls = 'never' | 'at most once' | 'once';

export interface ExpectedCall {
  /** `undefined`: the call never settles. */
  readonly settlement: { readonly at: Moment; readonly result: CallResult } | undefined;
  /** Every task function started, in start order. */
  readonly starts: readonly ExpectedStart[];
  /** The call's signal aborted (observable when some task function holds it). */
  readonly signalAbort: { readonly at: Moment; readonly reason: Reason } | undefined;
  /** Per input index; `undefined` for anything but a thenable. */
  readonly thenCalls: readonly (ThenCalls | undefined)[];
}

const fulfilled = (value: unknown): Slot => ({ status: 'fulfilled', value });
const rejected = (reason: Reason): Slot => ({ status: 'rejected', reason });
const valueReason = (value: unknown): Reason => ({ kind: 'value', value });
const slotOf = (outcome: Outcome): Slot =>
  outcome.fulfils ? fulfilled(outcome.value) : rejected(valueReason(outcome.reason));

/** SPEC isolate 1–3, for a task function called with its call's signal. */
function isolated(isolation: Isolation, slot: Slot, signalAborted: boolean): Slot {
  if (slot.status === 'fulfilled') return slot; // 1. its value
  if (signalAborted) return slot; // 3. cancellation is not a failure
  // 2. `onError` throwing or rejecting lets its reason through; otherwise the fallback.
  if (isolation.onError === 'throws' || isolation.onError === 'rejects') {
    return rejected(valueReason(isolation.failure));
  }
  return fulfilled(isolation.fallback);
}

/** The state of one call in the model. */
interface Call {
  readonly spec: CallSpec;
  /** `gather(...)` has been called: it follows the caller's signal if it uses it. */
  begun: boolean;
  /** Nothing starts any more (complete, failed or aborted). */
  ended: boolean;
  /** gather: the reason it rejects with, once failed or aborted. */
  rejection: Reason | undefined;
  readonly slots: (Slot | undefined)[];
  /** Slots still open, plus one while the start loop runs. */
  open: number;
  /** Task functions started and not settled, in start order. */
  readonly running: Set<number>;
  /** Asynchronous task functions whose own promise has settled (seen once). */
  readonly ownSettled: Set<number>;
  /** Its `concurrency` window: queued indices and how many run. */
  readonly queue: number[];
  active: number;
  readonly starts: ExpectedStart[];
  signalAbort: { at: Moment; reason: Reason } | undefined;
  settlement: { at: Moment; result: CallResult } | undefined;
  readonly thenCalls: (ThenCalls | undefined)[];
}

interface Event {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

/** Runs `scenario` in the model and says what each call must do. */
export function simulate(scenario: Scenario): ExpectedCall[] {
  const agenda: Event[] = [];
  let scheduled = 0;
  const schedule = (at: number, run: () => void) => {
    agenda.push({ at, order: scheduled++, run });
  };
  let now = 0;
  let moment: Moment = 'call';
  let launching = true;
  let callerAborted = scenario.caller.abortAt === 'before';
  const callerReasonLost =
    scenario.caller.flavour === 'signal-like' && scenario.caller.reason === undefined;
  /** The shared `p-limit`: wrappers in FIFO order, and how many hold a place. */
  const shared = { queue: [] as [Call, number][], active: 0 };

  const calls: Call[] = scenario.calls.map((spec) => ({
    spec,
    begun: false,
    ended: false,
    rejection: undefined,
    slots: spec.tasks.map(() => undefined),
    open: spec.tasks.length + 1,
    running: new Set(),
    ownSettled: new Set(),
    queue: [],
    active: 0,
    starts: [],
    signalAbort: undefined,
    settlement: undefined,
    thenCalls: spec.tasks.map((task) => (task.kind === 'thenable' ? 'never' : undefined)),
  }));

  // ---- Settling (SPEC gather 3–5, 8; gatherSettled 1–3) ----

  function settle(call: Call): void {
    if (call.settlement !== undefined) return;
    let result: CallResult;
    if (call.rejection !== undefined) result = { status: 'rejected', reason: call.rejection };
    else if (call.spec.api === 'gather') {
      result = { status: 'fulfilled', values: call.slots.map((slot) => slotValue(slot)) };
    } else result = { status: 'fulfilled', slots: call.slots.map((slot) => slotOrFail(slot)) };
    call.settlement = { at: moment, result };
  }

  /** After a failure or abort: settle now, or (waitForCleanup) once nothing runs. */
  function settleWhenClean(call: Call): void {
    if (!call.spec.waitForCleanup || call.running.size === 0) settle(call);
  }

  function complete(call: Call): void {
    call.ended = true;
    settle(call);
  }

  /** The loop or a slot is done; the last one completes the call. */
  function closeOne(call: Call): void {
    call.open--;
    if (call.open === 0 && !call.ended) complete(call);
  }

  /** Aborts the call's signal: running task functions that listen react. */
  function abortSignal(call: Call, reason: Reason): void {
    call.signalAbort = { at: moment, reason };
    for (const index of [...call.running]) {
      const task = call.spec.tasks[index];
      if (task?.kind !== 'async' || task.onAbort.kind === 'ignores') continue;
      const answer: Slot =
        task.onAbort.kind === 'fulfils' ? fulfilled(task.onAbort.value) : rejected(reason);
      if (task.onAbort.after === 'at once') innerSettled(call, index, answer);
      else schedule(now + task.onAbort.after, () => innerSettled(call, index, answer));
    }
  }

  /** A task failed (gather 4): record the failure first, then abort the siblings. */
  function fail(call: Call, reason: Reason): void {
    call.ended = true;
    call.rejection = reason;
    abortSignal(call, { kind: 'abort', cause: reason });
    settleWhenClean(call);
  }

  /** The caller's signal or the deadline (gather 6–7, gatherSettled 3). */
  function abort(call: Call, reason: Reason): void {
    if (call.ended) return;
    call.ended = true;
    if (call.spec.api === 'gather') call.rejection = reason;
    else {
      call.slots.forEach((slot, index) => {
        const waitsForIt = call.spec.waitForCleanup && call.running.has(index);
        if (slot === undefined && !waitsForIt) call.slots[index] = rejected(reason);
      });
    }
    abortSignal(
      call,
      reason.kind === 'caller' && callerReasonLost ? { kind: 'default abort' } : reason,
    );
    settleWhenClean(call);
  }

  function abortCaller(): void {
    if (callerAborted) return;
    callerAborted = true;
    for (const call of calls) {
      if (call.begun && call.spec.usesCallerSignal) abort(call, { kind: 'caller' });
    }
  }

  /** A slot's outcome, as the call records it. */
  function slotSettled(call: Call, index: number, slot: Slot): void {
    if (call.spec.api === 'gather') {
      if (call.ended) return; // 5. later outcomes are absorbed
      if (slot.status === 'rejected') fail(call, slot.reason);
      else {
        call.slots[index] = slot;
        closeOne(call);
      }
      return;
    }
    // gatherSettled: a slot fixed at the abort keeps the abort reason.
    if (call.slots[index] !== undefined || call.settlement !== undefined) return;
    call.slots[index] = slot;
    if (!call.ended) closeOne(call);
  }

  // ---- Starting (gather 2, Concurrency limit 1–3) ----

  function start(call: Call, index: number): void {
    const task = call.spec.tasks[index];
    call.starts.push({ index, at: moment, synchronous: launching });
    call.running.add(index);
    if (task?.kind === 'sync') functionSettled(call, index, slotOf(task.outcome));
    else if (task?.kind === 'abortsCaller') {
      abortCaller(); // while it runs: it is still on the stack
      functionSettled(call, index, fulfilled(task.value));
    } else if (task?.kind === 'async' && task.after !== 'never') {
      const own = slotOf(task.outcome);
      schedule(now + task.after, () => innerSettled(call, index, own));
    }
  }

  /** An asynchronous task function's own promise settles (once), seen through `isolate`. */
  function innerSettled(call: Call, index: number, slot: Slot): void {
    if (call.ownSettled.has(index)) return;
    call.ownSettled.add(index);
    const task = call.spec.tasks[index];
    const isolation = task?.kind === 'async' ? task.isolate : undefined;
    const seen =
      isolation === undefined ? slot : isolated(isolation, slot, call.signalAbort !== undefined);
    functionSettled(call, index, seen);
  }

  /** Its outcome is recorded first, then its place is handed on. */
  function functionSettled(call: Call, index: number, slot: Slot): void {
    call.running.delete(index);
    slotSettled(call, index, slot);
    if (call.spec.limit.kind === 'concurrency') {
      call.active--;
      drainWindow(call);
    } else if (call.spec.limit.kind === 'shared') shared.active--;
    if (call.ended) settleWhenClean(call);
  }

  function drainWindow(call: Call): void {
    const { limit } = call.spec;
    const n = limit.kind === 'concurrency' ? limit.n : Number.POSITIVE_INFINITY;
    while (!call.ended && call.active < n && call.queue.length > 0) {
      call.active++;
      start(call, call.queue.shift() as number);
    }
  }

  /** p-limit calls the next wrappers; a wrapper of an ended call gives its place back. */
  function pumpShared(): void {
    while (shared.active < scenario.sharedLimit && shared.queue.length > 0) {
      const [call, index] = shared.queue.shift() as [Call, number];
      if (call.ended) continue;
      shared.active++;
      start(call, index);
    }
  }

  function begin(call: Call): void {
    const { spec } = call;
    call.begun = true;
    if (spec.usesCallerSignal && callerAborted) {
      // Already aborted: nothing starts (gather 6, gatherSettled 3).
      call.ended = true;
      if (spec.api === 'gather') call.rejection = { kind: 'caller' };
      else call.slots.fill(rejected({ kind: 'caller' }));
      settle(call);
      return;
    }
    if (spec.timeout !== undefined && Number.isFinite(spec.timeout)) {
      schedule(now + spec.timeout, () => abort(call, { kind: 'timeout' }));
    }
    for (const [index, task] of spec.tasks.entries()) {
      if (call.ended) break;
      if (task.kind === 'value') slotSettled(call, index, fulfilled(task.value));
      else if (task.kind === 'promise') {
        // Awaited: its event below delivers it.
      } else if (task.kind === 'thenable') call.thenCalls[index] = 'at most once';
      else if (spec.limit.kind === 'none') start(call, index);
      else if (spec.limit.kind === 'concurrency') {
        call.queue.push(index);
        drainWindow(call);
      } else shared.queue.push([call, index]);
    }
    closeOne(call);
  }

  // ---- The run ----

  const { abortAt } = scenario.caller;
  if (typeof abortAt === 'number') schedule(abortAt, abortCaller);
  for (const call of calls) {
    for (const [index, task] of call.spec.tasks.entries()) {
      if ((task.kind === 'promise' || task.kind === 'thenable') && task.at !== 'never') {
        const slot = slotOf(task.outcome);
        schedule(task.at, () => slotSettled(call, index, slot));
      }
    }
  }
  for (const call of calls) begin(call);
  launching = false;
  pumpShared();
  // A thenable reached by a call still running after the call phase is awaited.
  for (const call of calls) {
    call.thenCalls.forEach((allowed, index) => {
      if (allowed === 'at most once' && !call.ended) call.thenCalls[index] = 'once';
    });
  }
  for (;;) {
    agenda.sort((a, b) => a.at - b.at || a.order - b.order);
    const event = agenda.shift();
    if (event === undefined) break;
    now = event.at;
    moment = event.at;
    event.run();
    pumpShared();
  }
  return calls.map((call) => ({
    settlement: call.settlement,
    starts: call.starts,
    signalAbort: call.signalAbort,
    thenCalls: call.thenCalls,
  }));
}

function slotValue(slot: Slot | undefined): unknown {
  if (slot?.status !== 'fulfilled') throw new Error('model: gather fulfilled with an open slot');
  return slot.value;
}

function slotOrFail(slot: Slot | undefined): Slot {
  if (slot === undefined) throw new Error('model: gatherSettled resolved with an open slot');
  return slot;
}

// ---------------------------------------------------------------------------------
// isolate on its own (SPEC isolate 1–3, 5), called directly.
// ---------------------------------------------------------------------------------

/** What `isolate` wraps: made before `isolate` is called. */
export type IsolatedTask =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'promise' | 'thenable'; readonly at: number; readonly outcome: Outcome }
  | { readonly kind: 'sync'; readonly outcome: Outcome }
  | { readonly kind: 'async'; readonly after: number; readonly outcome: Outcome };

export type OnErrorSpec =
  | { readonly kind: 'absent' }
  | { readonly kind: 'returns'; readonly after: number | 'at once' }
  | { readonly kind: 'throws'; readonly failure: unknown }
  | { readonly kind: 'rejects'; readonly failure: unknown; readonly after: number | 'at once' };

export type FallbackSpec =
  /** Used as a value, a function included. */
  | { readonly kind: 'value'; readonly value: unknown }
  /** Adopted: a promise or thenable settling at tick `at`. */
  | { readonly kind: 'promise' | 'thenable'; readonly at: number; readonly outcome: Outcome };

export interface IsolateScenario {
  readonly task: IsolatedTask;
  readonly onError: OnErrorSpec;
  readonly fallback: FallbackSpec;
  /** Called without a signal, or with one that aborts at some point. */
  readonly signal:
    | { readonly kind: 'none' }
    | { readonly kind: 'given'; readonly abortAt: 'before' | Delay };
  /** When the isolated task function is called, if ever. */
  readonly callAt: Delay;
}

export interface ExpectedIsolated {
  /** `undefined`: never called, or never settles. */
  readonly settlement: { readonly at: Moment; readonly slot: Slot } | undefined;
  /** The failures `onError` receives, in order. */
  readonly onErrorCalls: readonly unknown[];
}

/**
 * The isolated task function's outcome. Events: the signal's abort, the task's and
 * the fallback's settlement, the call, in that order at a tick; then what the call
 * schedules (the task function's promise, `onError`'s).
 */
export function simulateIsolate(scenario: IsolateScenario): ExpectedIsolated {
  const agenda: Event[] = [];
  let scheduled = 0;
  const schedule = (at: number, run: () => void) => {
    agenda.push({ at, order: scheduled++, run });
  };
  const { task, onError, fallback, signal } = scenario;
  let now = 0;
  let aborted = signal.kind === 'given' && signal.abortAt === 'before';
  let settlement: { at: Moment; slot: Slot } | undefined;
  const onErrorCalls: unknown[] = [];
  /** A promise or thenable that settles at its tick, and who waits for it. */
  const later = (at: number, outcome: Outcome) => {
    let settled = false;
    const waiting: ((outcome: Outcome) => void)[] = [];
    schedule(at, () => {
      settled = true;
      for (const wake of waiting) wake(outcome);
    });
    return (then: (outcome: Outcome) => void) => {
      if (settled) then(outcome);
      else waiting.push(then);
    };
  };

  if (signal.kind === 'given' && typeof signal.abortAt === 'number') {
    schedule(signal.abortAt, () => {
      aborted = true;
    });
  }
  const taskSettles =
    task.kind === 'promise' || task.kind === 'thenable' ? later(task.at, task.outcome) : undefined;
  const fallbackSettles =
    fallback.kind === 'value' ? undefined : later(fallback.at, fallback.outcome);

  const done = (slot: Slot) => {
    settlement = { at: now, slot };
  };
  // 2. The fallback is used as a value; a promise or thenable is adopted.
  const useFallback = () => {
    if (fallbackSettles !== undefined) fallbackSettles((outcome) => done(slotOf(outcome)));
    else if (fallback.kind === 'value') done(fulfilled(fallback.value));
  };
  const failWith = (failure: unknown) => () => done(rejected(valueReason(failure)));
  /** The task's outcome is observed now. */
  const observe = (outcome: Outcome) => {
    if (outcome.fulfils) return done(fulfilled(outcome.value)); // 1.
    if (aborted) return done(rejected(valueReason(outcome.reason))); // 3.
    if (onError.kind === 'absent') return useFallback();
    onErrorCalls.push(outcome.reason);
    if (onError.kind === 'throws') return failWith(onError.failure)();
    const then = onError.kind === 'returns' ? useFallback : failWith(onError.failure);
    if (onError.after === 'at once') then();
    else schedule(now + onError.after, then);
  };

  if (scenario.callAt !== 'never') {
    schedule(scenario.callAt, () => {
      if (task.kind === 'value') done(fulfilled(task.value));
      else if (task.kind === 'sync') observe(task.outcome);
      else if (task.kind === 'async') schedule(now + task.after, () => observe(task.outcome));
      else taskSettles?.(observe);
    });
  }
  for (;;) {
    agenda.sort((a, b) => a.at - b.at || a.order - b.order);
    const event = agenda.shift();
    if (event === undefined) break;
    now = event.at;
    event.run();
  }
  return { settlement, onErrorCalls };
}
