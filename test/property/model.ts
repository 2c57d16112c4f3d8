/**
 * An executable model of SPEC.md — `gather`, `gatherSettled`, `first`, `asCompleted`,
 * `isolate` and the concurrency limit — written from the SPEC, not from `src/`: a
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
 * - A plain value in the input is taken when the start loop reaches it: for `first`
 *   it wins there, and no later task function is called (first 1, a cache hit).
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
  | { readonly kind: 'all rejected'; readonly errors: readonly Reason[] };

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
  for (const call of calls) {
    const startsAt = call.loop?.spec.startsAt;
    if (typeof startsAt === 'number') schedule(startsAt, () => beginReading(call));
  }
  for (const call of calls) begin(call);
  launching = false;
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
