/**
 * An executable model of SPEC.md — `gather`, `gatherSettled`, `first`, `asCompleted`,
 * `isolate`, the concurrency limit and `TaskGroup` (its own section at the end, with
 * its own world: see {@link simulateGroup}) — written from the SPEC, not from `src/`: a
 * second statement of the contract. Given a scenario, it says what each call must
 * settle with (or, for `asCompleted`, what its loop must be handed) and when, which
 * task functions it must start and when, and how its signal must be aborted.
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
 *   (gather 5) and "the first to fulfil" (first 1) never depend on how many microtask
 *   turns the library takes, which the SPEC leaves open. For the same reason
 *   `isolate` wraps only asynchronous task functions inside a call (an isolated task
 *   settles a few microtasks after the event of the function it wraps);
 *   `simulateIsolate` covers the rest.
 * - A plain value in the input is taken when the start loop reaches it — except by
 *   `first`, which awaits it as `Promise.any` does (first 1): in the microtasks right
 *   after the synchronous part of the call phase, in input order. A task function
 *   that returns a plain value still wins as it returns (first 1, a cache hit). (A
 *   shared `p-limit` also runs its wrappers in those microtasks, so `first` is
 *   generated without plain values when the scenario has a shared limit.)
 * - A deadline is a timer armed in the call phase: it fires at its tick after the
 *   events scheduled before the calls (the caller's abort, promises passed in, the
 *   loops that begin to read later) and before those scheduled later (task functions'
 *   own events).
 * - A shared limit is a `p-limit`: it calls the queued wrappers first in, first out,
 *   in microtasks — so after the synchronous part of the phase or event.
 *
 * `asCompleted` is driven by a *loop* (a {@link Consumer}) that begins to read in the
 * call phase, right after the calls, or at an event of its own; it calls `next()` a
 * batch at a time and asks for the next batch when the last has resolved. It may
 * leave (call `return()`) once it has taken some number of entries and waits for no
 * `next()`: *in the loop* — in the microtasks of the event that handed it its last
 * entry, so after that event's synchronous part — or *after the tick*, at an event
 * of its own half a tick later (plus a hundredth per call, so no two loops leave at
 * once). Leaving in the loop races with a shared `p-limit`, which also acts in those
 * microtasks, so a scenario with a shared limit only leaves after the tick.
 * - Entries that complete in the same event (or the call phase) form a *group*:
 *   their order within it depends on microtask timing the SPEC does not fix (all the
 *   slots an abort reports, say), so the loop may be handed a group in any order;
 *   groups themselves arrive in completion order, each entry at the tick the model
 *   says.
 */

// ---------------------------------------------------------------------------------
// Scenarios: what the arbitraries generate.
// ---------------------------------------------------------------------------------

export type Api = 'gather' | 'gatherSettled' | 'first' | 'asCompleted';

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

/**
 * The loop over an `asCompleted` iterator (SPEC asCompleted 1, 3, 5): when it begins
 * to read, how many `next()` calls it makes at once, and whether it leaves early.
 */
export interface Consumer {
  /** Right after the calls, in the call phase, or at an event at this tick. */
  readonly startsAt: 'call' | number;
  /** `next()` calls made at once; the next batch once all have resolved (1: `for await`). */
  readonly batch: number;
  /**
   * Leaves (`return()`) once it has taken at least `after` entries and waits for no
   * `next()` — `break` in the loop, or at its own event after the tick;
   * `undefined`: reads to the end.
   */
  readonly leaves:
    | { readonly after: number; readonly when: 'in the loop' | 'after the tick' }
    | undefined;
}

/** When the loop of call `call` leaves "after the tick": this much after the tick it decided. */
export const leaveDelay = (call: number): number => 0.5 + call / 100;

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
  /** asCompleted only: the loop that reads it. */
  readonly consumer: Consumer | undefined;
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
  | { readonly kind: 'default abort' }
  /** `first`: an `AggregateError` whose `errors` are these, in input order (first 2). */
  | { readonly kind: 'all rejected'; readonly errors: readonly Reason[] }
  /**
   * TaskGroup 4: the `"AbortError"` the group's signal made its own when aborted with
   * no reason (`abort()`, `abort(undefined)`, a caller's signal-like object aborted
   * with `undefined`) — `join()` rejects with that very object, `group.signal.reason`.
   */
  | { readonly kind: 'signal reason' };

export type Slot =
  | { readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly status: 'rejected'; readonly reason: Reason };

export type CallResult =
  /** `first`'s winner; for `asCompleted`, `undefined`: the loop is over. */
  | { readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly status: 'fulfilled'; readonly values: readonly unknown[] }
  | { readonly status: 'fulfilled'; readonly slots: readonly Slot[] }
  | { readonly status: 'rejected'; readonly reason: Reason };

export interface ExpectedStart {
  readonly index: number;
  readonly at: Moment;
  /** Called during the `gather(...)` call itself. */
  readonly synchronous: boolean;
}

/** An entry `asCompleted` makes: the slot at `index`, completed in event `group`. */
export interface CompletedEntry {
  /** The event it completed in: 0 for the call phase, then one number per event. */
  readonly group: number;
  readonly index: number;
  readonly slot: Slot;
}

/** What one `next()` call of the loop resolves with, and when. */
export type ExpectedStep =
  | { readonly kind: 'pending' }
  | { readonly kind: 'done'; readonly at: Moment }
  | { readonly kind: 'entry'; readonly at: Moment; readonly entry: CompletedEntry };

export interface ExpectedIteration {
  /** Every entry the run made, in completion order (groups in order). */
  readonly completions: readonly CompletedEntry[];
  /** What each `next()` call of the loop resolves with, in call order. */
  readonly steps: readonly ExpectedStep[];
  /** The loop's `return()`: when it is called and when it resolves (`undefined`: never). */
  readonly returned:
    | { readonly calledAt: Moment; readonly resolvedAt: Moment | undefined }
    | undefined;
}

/** How often a thenable passed in may have its `then` called. */
export type ThenCalls = 'never' | 'at most once' | 'once';

export interface ExpectedCall {
  /**
   * `undefined`: the call never settles. For `asCompleted`: when its loop is over —
   * its `return()` resolved, or, if it never called it, a `next()` resolved done.
   */
  readonly settlement: { readonly at: Moment; readonly result: CallResult } | undefined;
  /** Every task function started, in start order. */
  readonly starts: readonly ExpectedStart[];
  /** The call's signal aborted (observable when some task function holds it). */
  readonly signalAbort: { readonly at: Moment; readonly reason: Reason } | undefined;
  /** Per input index; `undefined` for anything but a thenable. */
  readonly thenCalls: readonly (ThenCalls | undefined)[];
  /** asCompleted only: what its loop is handed. */
  readonly iteration: ExpectedIteration | undefined;
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

/** The state of an `asCompleted` call's loop. */
interface Loop {
  readonly spec: Consumer;
  /** Its position among the scenario's calls. */
  readonly call: number;
  reading: boolean;
  /** One per `next()` call, in call order; `pending` until it resolves. */
  readonly steps: ExpectedStep[];
  /** The oldest `next()` call not yet resolved. */
  unresolved: number;
  /** Entries made and not yet handed out, oldest first. */
  readonly buffer: CompletedEntry[];
  taken: number;
  /** It asks for nothing more: the iteration ended, or it decided to leave. */
  stopped: boolean;
  left: boolean;
  returned: { calledAt: Moment; resolvedAt: Moment | undefined } | undefined;
}

/** The state of one call in the model. */
interface Call {
  readonly spec: CallSpec;
  /** The call has been made: it follows the caller's signal if it uses it. */
  begun: boolean;
  /** Nothing starts any more (complete, failed, won, aborted or left). */
  ended: boolean;
  /** gather, first: the reason it rejects with, once failed or aborted. */
  rejection: Reason | undefined;
  /** first: a task has fulfilled, with `winner`. */
  won: boolean;
  winner: unknown;
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
  /** For asCompleted, the run's own settlement: no entry comes any more. */
  settlement: { at: Moment; result: CallResult } | undefined;
  readonly thenCalls: (ThenCalls | undefined)[];
  /** first: the plain values its start loop read, fulfilled in the microtasks after it. */
  readonly plainValues: number[];
  /** asCompleted: the entries made, and the loop that reads them. */
  readonly completions: CompletedEntry[];
  readonly loop: Loop | undefined;
}

interface Event {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

/** The `"AbortError"` with an `undefined` cause: `first`'s losers, a loop left early. */
const abortWithoutFailure: Reason = { kind: 'abort', cause: valueReason(undefined) };

/** Runs `scenario` in the model and says what each call must do. */
export function simulate(scenario: Scenario): ExpectedCall[] {
  const agenda: Event[] = [];
  let scheduled = 0;
  const schedule = (at: number, run: () => void) => {
    agenda.push({ at, order: scheduled++, run });
  };
  let now = 0;
  let moment: Moment = 'call';
  /** The group of the entries completing now: 0 in the call phase, then one per event. */
  let group = 0;
  let launching = true;
  let callerAborted = scenario.caller.abortAt === 'before';
  const callerReasonLost =
    scenario.caller.flavour === 'signal-like' && scenario.caller.reason === undefined;
  /** The shared `p-limit`: wrappers in FIFO order, and how many hold a place. */
  const shared = { queue: [] as [Call, number][], active: 0 };
  /** Loops that leave in the microtasks of the current event or phase. */
  const leaving: Call[] = [];

  const calls: Call[] = scenario.calls.map((spec, position) => ({
    spec,
    begun: false,
    ended: false,
    rejection: undefined,
    won: false,
    winner: undefined,
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
    plainValues: [],
    completions: [],
    loop:
      spec.api === 'asCompleted'
        ? {
            spec: spec.consumer ?? { startsAt: 'call', batch: 1, leaves: undefined },
            call: position,
            reading: false,
            steps: [],
            unresolved: 0,
            buffer: [],
            taken: 0,
            stopped: false,
            left: false,
            returned: undefined,
          }
        : undefined,
  }));

  // ---- Settling (SPEC gather 3–5, 8; gatherSettled 1–3; first 1–4; asCompleted 2–4) ----

  function settle(call: Call): void {
    if (call.settlement !== undefined) return;
    let result: CallResult;
    if (call.rejection !== undefined) result = { status: 'rejected', reason: call.rejection };
    else if (call.spec.api === 'gather') {
      result = { status: 'fulfilled', values: call.slots.map((slot) => slotValue(slot)) };
    } else if (call.spec.api === 'first') {
      result = call.won
        ? { status: 'fulfilled', value: call.winner }
        : {
            status: 'rejected',
            reason: { kind: 'all rejected', errors: call.slots.map((slot) => slotReason(slot)) },
          };
    } else if (call.spec.api === 'asCompleted') result = { status: 'fulfilled', value: undefined };
    else result = { status: 'fulfilled', slots: call.slots.map((slot) => slotOrFail(slot)) };
    call.settlement = { at: moment, result };
    const { loop } = call;
    if (loop === undefined) return;
    // asCompleted 3: `return()` resolves once the run is over; 1: waiting `next()`s end.
    if (loop.returned !== undefined) loop.returned.resolvedAt ??= moment;
    serve(call);
  }

  /** After a failure, a win, an abort or a loop left: settle now, or (waitForCleanup) once nothing runs. */
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

  /** A task fulfilled first (first 1): it wins, and the others are aborted. */
  function win(call: Call, value: unknown): void {
    call.ended = true;
    call.won = true;
    call.winner = value;
    abortSignal(call, abortWithoutFailure);
    settleWhenClean(call);
  }

  /** The caller's signal or the deadline (gather 6–7, gatherSettled 3, first 3, asCompleted 4). */
  function abort(call: Call, reason: Reason): void {
    if (call.ended) return;
    call.ended = true;
    if (call.spec.api === 'gather' || call.spec.api === 'first') call.rejection = reason;
    else {
      call.slots.forEach((slot, index) => {
        const waitsForIt = call.spec.waitForCleanup && call.running.has(index);
        if (slot === undefined && !waitsForIt) fix(call, index, rejected(reason));
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

  /** gatherSettled, asCompleted: a slot's outcome is fixed; asCompleted makes its entry. */
  function fix(call: Call, index: number, slot: Slot): void {
    call.slots[index] = slot;
    if (call.loop === undefined) return;
    const entry: CompletedEntry = { group, index, slot };
    call.completions.push(entry);
    if (call.loop.left) return; // asCompleted 3: nothing is handed out any more
    call.loop.buffer.push(entry);
    serve(call);
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
    if (call.spec.api === 'first') {
      if (call.ended) return; // only the first fulfilment counts; nothing after an abort
      if (slot.status === 'fulfilled') win(call, slot.value);
      else {
        call.slots[index] = slot;
        closeOne(call);
      }
      return;
    }
    // gatherSettled, asCompleted: a slot fixed at the abort keeps the abort reason.
    if (call.slots[index] !== undefined || call.settlement !== undefined) return;
    fix(call, index, slot);
    if (!call.ended) closeOne(call);
  }

  // ---- The loop over asCompleted (asCompleted 1, 3, 5) ----

  /** Resolves the loop's waiting `next()` calls: buffered entries first, then the end. */
  function serve(call: Call): void {
    const loop = call.loop;
    if (loop === undefined || !loop.reading || loop.left) return;
    while (loop.unresolved < loop.steps.length) {
      const entry = loop.buffer.shift();
      let step: ExpectedStep;
      if (entry !== undefined) step = { kind: 'entry', at: moment, entry };
      else if (call.settlement !== undefined) step = { kind: 'done', at: moment };
      else break;
      loop.steps[loop.unresolved++] = step;
      // What the loop does with it, once every `next()` of its batch has resolved.
      if (step.kind === 'done') loop.stopped = true;
      else loop.taken++;
      if (loop.stopped || loop.unresolved < loop.steps.length) continue;
      const { leaves } = loop.spec;
      if (leaves !== undefined && loop.taken >= leaves.after) decideToLeave(call, loop);
      else ask(loop);
    }
  }

  /** A batch of `next()` calls. */
  function ask(loop: Loop): void {
    for (let count = 0; count < loop.spec.batch; count++) loop.steps.push({ kind: 'pending' });
  }

  function decideToLeave(call: Call, loop: Loop): void {
    loop.stopped = true;
    if (loop.spec.leaves?.when === 'after the tick') {
      schedule(now + leaveDelay(loop.call), () => leave(call));
    } else leaving.push(call);
  }

  function beginReading(call: Call): void {
    const loop = call.loop;
    if (loop === undefined) return;
    loop.reading = true;
    if (loop.spec.leaves?.after === 0) decideToLeave(call, loop);
    else {
      ask(loop);
      serve(call);
    }
  }

  /** The loop calls `return()` (asCompleted 3): what still runs is aborted, nothing more starts. */
  function leave(call: Call): void {
    const loop = call.loop;
    if (loop === undefined || loop.left) return;
    loop.left = true;
    loop.buffer.length = 0;
    loop.returned = { calledAt: moment, resolvedAt: undefined };
    if (!call.ended) {
      call.ended = true;
      abortSignal(call, abortWithoutFailure);
      settleWhenClean(call);
    }
    if (call.settlement !== undefined) loop.returned.resolvedAt ??= moment;
  }

  /** The loops that left in the microtasks of the event or phase just over. */
  function leaveNow(): void {
    for (const call of leaving.splice(0)) leave(call);
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
      if (spec.api === 'gather' || spec.api === 'first') call.rejection = { kind: 'caller' };
      else {
        for (const index of spec.tasks.keys()) fix(call, index, rejected({ kind: 'caller' }));
      }
      settle(call);
      return;
    }
    if (spec.timeout !== undefined && Number.isFinite(spec.timeout)) {
      schedule(now + spec.timeout, () => abort(call, { kind: 'timeout' }));
    }
    for (const [index, task] of spec.tasks.entries()) {
      if (call.ended) break;
      if (task.kind === 'value') {
        if (spec.api === 'first') call.plainValues.push(index);
        else slotSettled(call, index, fulfilled(task.value));
      } else if (task.kind === 'promise') {
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
  for (const call of calls) {
    const startsAt = call.loop?.spec.startsAt;
    if (typeof startsAt === 'number') schedule(startsAt, () => beginReading(call));
  }
  for (const call of calls) begin(call);
  launching = false;
  // first awaits its plain values as Promise.any does: in input order, now.
  for (const call of calls) {
    for (const index of call.plainValues) {
      const task = call.spec.tasks[index];
      if (task?.kind === 'value') slotSettled(call, index, fulfilled(task.value));
    }
  }
  for (const call of calls) if (call.loop?.spec.startsAt === 'call') beginReading(call);
  leaveNow();
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
    group++;
    event.run();
    leaveNow();
    pumpShared();
  }
  return calls.map((call) => ({
    settlement: call.loop === undefined ? call.settlement : loopOver(call.loop),
    starts: call.starts,
    signalAbort: call.signalAbort,
    thenCalls: call.thenCalls,
    iteration:
      call.loop === undefined
        ? undefined
        : {
            completions: call.completions,
            steps: call.loop.steps,
            returned: call.loop.returned,
          },
  }));
}

/** When the loop is over: its `return()` resolved, or a `next()` resolved done. */
function loopOver(loop: Loop): { at: Moment; result: CallResult } | undefined {
  const over: CallResult = { status: 'fulfilled', value: undefined };
  if (loop.returned !== undefined) {
    const { resolvedAt } = loop.returned;
    return resolvedAt === undefined ? undefined : { at: resolvedAt, result: over };
  }
  const done = loop.steps.find((step) => step.kind === 'done');
  return done?.kind === 'done' ? { at: done.at, result: over } : undefined;
}

function slotReason(slot: Slot | undefined): Reason {
  if (slot?.status !== 'rejected')
    throw new Error('model: first rejected with a slot not rejected');
  return slot.reason;
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

// ---------------------------------------------------------------------------------
// TaskGroup (SPEC Beyond gather › TaskGroup 1–7).
// ---------------------------------------------------------------------------------

/**
 * The world of a group scenario is the one described at the top of this file, with
 * one group instead of calls:
 * - The group is constructed at tick 0, first thing in the call phase (TaskGroup 7:
 *   linked to the caller's signal, its deadline armed). The caller's abort is
 *   scheduled before it, so at a tick it comes before the deadline.
 * - The scenario's own code is a list of *steps* — `spawn`, `join()`,
 *   `[Symbol.asyncDispose]()`, `group.abort(…)` — each in the call phase (right after
 *   the construction, in list order) or at an event of its own (one event per step,
 *   after the deadline at its tick, before the events that task functions schedule).
 * - Task functions spawn too: synchronously as they start, before they return or
 *   throw; or at their own event, while still running, before they settle. Children
 *   are spawned in spawn order. An asynchronous task function arms its abort
 *   reaction after it has spawned what it spawns as it starts.
 * - Under `concurrency: n`, a task function is called by `spawn` itself when a slot
 *   is free and none is queued (TaskGroup 1: "unless it is queued under a bound");
 *   otherwise it waits in spawn order, and the next starts, in the same synchronous
 *   turn, when one settles. A shared `p-limit` calls its wrappers in microtasks, as
 *   above: never during `spawn`.
 * - A queued task that the group's end leaves uncalled rejects with the group's
 *   reason (TaskGroup 5): the SPEC says it never hangs, not when; the model lets it
 *   reject from the end until the group has settled.
 * - A task function's promise settled inside synchronous code (one that reacts "at
 *   once" to the group's signal) is seen by the group in the microtasks after that
 *   code: until then the task is pending, and the group not closed.
 * - The generators leave out what the SPEC leaves to microtask timing or to the
 *   limiter's loop (`arbitraries.ts` says why): under a shared `p-limit`, a task that
 *   spawns at its own event fulfils there; under `concurrency: n`, no chain of three
 *   spawns as they start.
 *
 * Two decisions where the SPEC is silent or leaves timing open:
 * - `[Symbol.asyncDispose]()` is what `await using` calls when the block ends: the
 *   model lets it join the group (as leaving `async with TaskGroup()` does in asyncio)
 *   — afterwards the group closes once nothing is pending, and tasks spawned while it
 *   waits are waited for too.
 * - "It resolves if `join()` has already settled" (TaskGroup 6): whether `join()`'s
 *   promise has settled within the synchronous run in which the group settled depends
 *   on how many microtasks the library takes, which is not part of the contract. So
 *   when `join()` was called and the group settled in the same synchronous run as the
 *   dispose call (possible only in the call phase), the dispose may either resolve or
 *   reject with the group's reason. (The library settles `join()` a microtask later,
 *   so its dispose rejects there.)
 */

/** The task functions a group is given (TaskGroup 1: nothing else is a task). */
export type GroupTask = Extract<TaskSpec, { readonly kind: 'sync' | 'abortsCaller' | 'async' }>;

export interface SpawnSpec {
  readonly task: GroupTask;
  /** Spawned by the scenario's own code (a `spawn` step), or by the task function of an earlier spawn. */
  readonly by:
    | { readonly kind: 'outside' }
    | {
        readonly kind: 'inside';
        readonly parent: number;
        readonly when: 'as it starts' | 'at its event';
      };
  /** The code that spawns it ignores the promise `spawn` returns: read only once the run is over. */
  readonly ignored: boolean;
}

/** `group.abort()` with no argument, or `group.abort(value)` (`undefined` included). */
export type AbortArgument =
  | { readonly given: false }
  | { readonly given: true; readonly value: unknown };

export type GroupStep =
  | { readonly kind: 'spawn'; readonly at: Moment; readonly spawn: number }
  | { readonly kind: 'join' | 'dispose'; readonly at: Moment }
  | { readonly kind: 'abort'; readonly at: Moment; readonly reason: AbortArgument };

export interface GroupScenario {
  readonly usesCallerSignal: boolean;
  /** Milliseconds (ticks) from the construction; `undefined` is absent; `Infinity` is none. */
  readonly timeout: number | undefined;
  readonly limit: Limit;
  readonly spawns: readonly SpawnSpec[];
  /** The scenario's own code, in order; at most one `join` and one `dispose`. */
  readonly steps: readonly GroupStep[];
  readonly caller: Scenario['caller'];
  /** The concurrency of the `p-limit` the group is given when `limit` is `shared`. */
  readonly sharedLimit: number;
}

export interface ExpectedGroupStart {
  readonly spawn: number;
  readonly at: Moment;
  /** Called by its own `spawn(…)` call, before it returned. */
  readonly synchronous: boolean;
}

export type ExpectedSpawn =
  /** Its spawner never ran that far. */
  | { readonly kind: 'never made' }
  /** TaskGroup 3: the group was closed. */
  | { readonly kind: 'throws'; readonly at: Moment }
  /**
   * It returned a promise, which settles with `slot` from `from` to `to` (`undefined`:
   * any time later, but it must settle), or never.
   */
  | {
      readonly kind: 'returns';
      readonly at: Moment;
      settlement:
        | { readonly from: Moment; to: Moment | undefined; readonly slot: Slot }
        | undefined;
    };

/** What `join()` or `[Symbol.asyncDispose]()` settles with, and when. */
export interface ExpectedEnding {
  readonly calledAt: Moment;
  /** `undefined`: never settles. `orElse`: another outcome the SPEC allows as well. */
  readonly settlement:
    | { readonly at: Moment; readonly result: CallResult; readonly orElse: CallResult | undefined }
    | undefined;
}

export interface ExpectedGroup {
  /** Every task function called, in call order. */
  readonly starts: readonly ExpectedGroupStart[];
  /** Per spawn. */
  readonly spawns: readonly ExpectedSpawn[];
  readonly signalAbort: { readonly at: Moment; readonly reason: Reason } | undefined;
  readonly join: ExpectedEnding | undefined;
  readonly dispose: ExpectedEnding | undefined;
}

/** The later of two moments. */
function later(a: Moment, b: Moment): Moment {
  if (a === 'call') return b;
  if (b === 'call') return a;
  return Math.max(a, b);
}

/** Runs a group scenario in the model and says what the group must do. */
export function simulateGroup(scenario: GroupScenario): ExpectedGroup {
  const agenda: Event[] = [];
  let scheduled = 0;
  const schedule = (at: number, run: () => void) => {
    agenda.push({ at, order: scheduled++, run });
  };
  let now = 0;
  let moment: Moment = 'call';
  /** 0 for the call phase, then one number per event. */
  let event = 0;
  let constructed = false;
  let callerAborted = scenario.caller.abortAt === 'before';
  const callerReasonLost =
    scenario.caller.flavour === 'signal-like' && scenario.caller.reason === undefined;
  const { limit, spawns } = scenario;
  const bound = limit.kind === 'concurrency' && Number.isFinite(limit.n) ? limit.n : undefined;

  // ---- The group's state ----
  /** Completed, failed or aborted: nothing starts any more. */
  let ended = false;
  /** What `join()` rejects with once it has failed or been aborted. */
  let rejection: Reason | undefined;
  /** Ended by `group.abort(…)` itself (TaskGroup 6). */
  let byGroupAbort = false;
  let joined = false;
  /** Ended, and every task function it called has settled. */
  let settled: { at: Moment; event: number } | undefined;
  /** Spawned and not settled: queued or running. */
  let pending = 0;
  const running = new Set<number>();
  /** Running asynchronous task functions that react to the group's signal. */
  const listening = new Set<number>();
  const ownSettled = new Set<number>();
  /** Spawns waiting for the bound (the window's, or the shared p-limit's), in spawn order. */
  const queue: number[] = [];
  let active = 0;
  let draining = false;
  let sharedActive = 0;
  /** Promises of queued spawns rejected at the end: they must have settled once the group has. */
  const dropped: number[] = [];
  /** What the group sees in the microtasks of the current phase or event. */
  const microtasks: (() => void)[] = [];

  const starts: ExpectedGroupStart[] = [];
  const expectedSpawns: ExpectedSpawn[] = spawns.map(() => ({ kind: 'never made' }));
  let signalAbort: { at: Moment; reason: Reason } | undefined;
  let join: { calledAt: Moment } | undefined;
  let dispose: { calledAt: Moment; joinSettled: 'yes' | 'no' | 'perhaps' } | undefined;

  const children = (parent: number, when: 'as it starts' | 'at its event'): number[] =>
    spawns.flatMap((spec, index) =>
      spec.by.kind === 'inside' && spec.by.parent === parent && spec.by.when === when
        ? [index]
        : [],
    );

  const closed = () => joined && settled !== undefined;

  function settleSpawn(index: number, slot: Slot, to: Moment | undefined = moment): void {
    const spawned = expectedSpawns[index];
    if (spawned?.kind !== 'returns') throw new Error(`model: spawn #${index} was not made`);
    spawned.settlement = { from: moment, to, slot };
  }

  // ---- Settling (TaskGroup 2–5) ----

  function settleIfClean(): void {
    if (settled !== undefined) return;
    if (ended ? running.size === 0 : joined && pending === 0) {
      ended = true; // 3. complete: joined, and nothing pending
      settled = { at: moment, event };
      for (const index of dropped) {
        const spawned = expectedSpawns[index];
        if (spawned?.kind === 'returns' && spawned.settlement !== undefined) {
          spawned.settlement.to = moment;
        }
      }
    }
  }

  /** The group's signal aborts: running task functions that listen react. */
  function abortSignal(reason: Reason): void {
    signalAbort = { at: moment, reason };
    for (const index of [...listening]) react(index, reason);
  }

  function react(index: number, reason: Reason): void {
    const task = spawns[index]?.task;
    if (task?.kind !== 'async' || task.onAbort.kind === 'ignores') return;
    const answer: Slot =
      task.onAbort.kind === 'fulfils' ? fulfilled(task.onAbort.value) : rejected(reason);
    // At once: its promise settles inside the abort, but the group sees it in a microtask.
    if (task.onAbort.after === 'at once') innerSettled(index, answer, true);
    else schedule(now + task.onAbort.after, () => innerSettled(index, answer));
  }

  /** 5. Queued tasks are never called: their promises reject with the group's reason. */
  function dropQueued(reason: Reason): void {
    for (const index of queue.splice(0)) {
      pending--;
      settleSpawn(index, rejected(reason), undefined);
      dropped.push(index);
    }
  }

  /** 2. The first failure: recorded, then the signal aborts with an AbortError caused by it. */
  function fail(reason: Reason): void {
    ended = true;
    rejection = reason;
    abortSignal({ kind: 'abort', cause: reason });
    dropQueued(reason);
  }

  /** 4. `group.abort(reason)`, the caller's signal, the deadline; a no-op once ended. */
  function abortGroup(reason: Reason, byGroup: boolean): void {
    if (ended) return;
    ended = true;
    rejection = reason;
    byGroupAbort = byGroup;
    abortSignal(reason);
    dropQueued(reason);
    settleIfClean();
  }

  function abortCaller(): void {
    if (callerAborted) return;
    callerAborted = true;
    if (constructed && scenario.usesCallerSignal) {
      abortGroup(callerReasonLost ? { kind: 'signal reason' } : { kind: 'caller' }, false);
    }
  }

  // ---- Spawning and starting (TaskGroup 1, 3, 5; Concurrency limit 1–3) ----

  function spawn(index: number): void {
    if (closed()) {
      expectedSpawns[index] = { kind: 'throws', at: moment };
      return;
    }
    expectedSpawns[index] = { kind: 'returns', at: moment, settlement: undefined };
    if (ended) {
      settleSpawn(index, rejected(rejection ?? { kind: 'signal reason' }));
      return;
    }
    pending++;
    if (limit.kind === 'shared') queue.push(index);
    else if (bound === undefined) start(index, true);
    else if (active < bound && queue.length === 0) {
      active++;
      start(index, true);
    } else queue.push(index);
  }

  function start(index: number, synchronous: boolean): void {
    const task = spawns[index]?.task;
    if (task === undefined) throw new Error(`model: no spawn #${index}`);
    starts.push({ spawn: index, at: moment, synchronous });
    running.add(index);
    for (const child of children(index, 'as it starts')) spawn(child);
    if (task.kind === 'sync') functionSettled(index, slotOf(task.outcome));
    else if (task.kind === 'abortsCaller') {
      abortCaller(); // while it runs
      functionSettled(index, fulfilled(task.value));
    } else {
      if (task.after !== 'never') {
        const own = slotOf(task.outcome);
        schedule(now + task.after, () => ownEvent(index, own));
      }
      if (task.onAbort.kind !== 'ignores') {
        listening.add(index);
        if (signalAbort !== undefined) react(index, signalAbort.reason);
      }
    }
  }

  /** Its own event: still running, it spawns what it spawns then, and settles. */
  function ownEvent(index: number, own: Slot): void {
    if (ownSettled.has(index)) return;
    for (const child of children(index, 'at its event')) spawn(child);
    innerSettled(index, own);
  }

  /**
   * An asynchronous task function's own promise settles (once), seen through
   * `isolate`; the group sees it now, or (`inMicrotask`) once the synchronous code
   * that settled it is over.
   */
  function innerSettled(index: number, slot: Slot, inMicrotask = false): void {
    if (ownSettled.has(index)) return;
    ownSettled.add(index);
    listening.delete(index);
    const task = spawns[index]?.task;
    const isolation = task?.kind === 'async' ? task.isolate : undefined;
    const seen =
      isolation === undefined ? slot : isolated(isolation, slot, signalAbort !== undefined);
    if (inMicrotask) microtasks.push(() => functionSettled(index, seen));
    else functionSettled(index, seen);
  }

  /** Its promise settles with its own outcome; a failure ends the group; then its slot is handed on. */
  function functionSettled(index: number, slot: Slot): void {
    running.delete(index);
    pending--;
    settleSpawn(index, slot);
    if (slot.status === 'rejected' && !ended) fail(slot.reason);
    if (limit.kind === 'shared') sharedActive--;
    else if (bound !== undefined) {
      active--;
      drain();
    }
    settleIfClean();
  }

  function drain(): void {
    if (draining || bound === undefined) return;
    draining = true;
    while (!ended && active < bound && queue.length > 0) {
      active++;
      start(queue.shift() as number, false);
    }
    draining = false;
  }

  /**
   * The microtasks after the synchronous part of a phase or event: the group sees the
   * promises that settled in it, and p-limit calls the next wrappers. Once the group
   * has ended their order does not matter (nothing more starts), and before that only
   * p-limit acts here.
   */
  function runMicrotasks(): void {
    for (;;) {
      const next = microtasks.shift();
      if (next !== undefined) next();
      else if (sharedActive < scenario.sharedLimit && queue.length > 0 && limit.kind === 'shared') {
        const index = queue.shift() as number;
        if (ended) continue;
        sharedActive++;
        start(index, false);
      } else break;
    }
  }

  // ---- The scenario's own code ----

  function step(made: GroupStep): void {
    switch (made.kind) {
      case 'spawn':
        spawn(made.spawn);
        break;
      case 'join':
        join ??= { calledAt: moment };
        joined = true;
        settleIfClean();
        break;
      case 'dispose': {
        const joinSettled =
          joined && settled !== undefined ? (settled.event === event ? 'perhaps' : 'yes') : 'no';
        dispose ??= { calledAt: moment, joinSettled };
        joined = true;
        settleIfClean();
        break;
      }
      case 'abort': {
        const { reason } = made;
        const given = reason.given && reason.value !== undefined;
        abortGroup(given ? valueReason(reason.value) : { kind: 'signal reason' }, true);
        break;
      }
    }
  }

  // ---- The run ----

  const { abortAt } = scenario.caller;
  if (typeof abortAt === 'number') schedule(abortAt, abortCaller);
  constructed = true;
  if (scenario.usesCallerSignal && callerAborted) {
    abortGroup(callerReasonLost ? { kind: 'signal reason' } : { kind: 'caller' }, false);
  } else if (scenario.timeout !== undefined && Number.isFinite(scenario.timeout)) {
    schedule(scenario.timeout, () => abortGroup({ kind: 'timeout' }, false));
  }
  for (const made of scenario.steps) {
    const { at } = made;
    if (at !== 'call') schedule(at, () => step(made));
  }
  for (const made of scenario.steps) if (made.at === 'call') step(made);
  runMicrotasks();
  for (;;) {
    agenda.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = agenda.shift();
    if (next === undefined) break;
    now = next.at;
    moment = next.at;
    event++;
    next.run();
    runMicrotasks();
  }

  const outcome: CallResult =
    rejection === undefined
      ? { status: 'fulfilled', value: undefined }
      : { status: 'rejected', reason: rejection };
  const resolves: CallResult = { status: 'fulfilled', value: undefined };
  const ending = (calledAt: Moment): ExpectedEnding['settlement'] =>
    settled === undefined
      ? undefined
      : { at: later(calledAt, settled.at), result: outcome, orElse: undefined };
  let disposed: ExpectedEnding | undefined;
  if (dispose !== undefined) {
    const { calledAt, joinSettled } = dispose;
    let settlement = ending(calledAt);
    if (settlement !== undefined && rejection !== undefined) {
      // 6. It resolves if join() had settled, or if group.abort ended the group.
      if (joinSettled === 'yes' || byGroupAbort) settlement = { ...settlement, result: resolves };
      else if (joinSettled === 'perhaps') settlement = { ...settlement, orElse: resolves };
    }
    disposed = { calledAt, settlement };
  }
  return {
    starts,
    spawns: expectedSpawns,
    signalAbort,
    join:
      join === undefined
        ? undefined
        : { calledAt: join.calledAt, settlement: ending(join.calledAt) },
    dispose: disposed,
  };
}
