/**
 * Runs a scenario against the real library, in the virtual world `model.ts`
 * describes, and records what happened: when each call settled and with what (for
 * `asCompleted`, what each `next()` of its loop resolved with, and when), which task
 * functions started and when, what their signal saw, how many ran at once. For a
 * `TaskGroup` ({@link observeGroup}): what each `spawn` returned or threw and how its
 * promise settled, when `join()` and the dispose settled, and `group.signal`.
 *
 * - The clock is an agenda of events. The library's `setTimeout` is replaced, for
 *   the length of one run, by one that schedules on the agenda (so a deadline costs
 *   no real time); every other event comes from the scenario.
 * - Between two events the harness waits for one real macrotask (`setImmediate`),
 *   so every microtask an event causes has run before the next event.
 */
import pLimit from 'p-limit';
import {
  type AbortSignalLike,
  asCompleted,
  first,
  type GatherOptions,
  gather,
  gatherSettled,
  type IsolateOptions,
  isolate,
  TaskGroup,
  type TaskGroupOptions,
} from '../../src/index';
import { deferred } from '../support/deferred';
import { watchAbortListeners } from '../support/fixtures';
import {
  type Api,
  type CallSpec,
  type Consumer,
  type GroupScenario,
  type GroupStep,
  type GroupTask,
  type IsolateScenario,
  leaveDelay,
  type Moment,
  type Outcome,
  type Scenario,
  type TaskSpec,
} from './model';

/** One real macrotask: every microtask queued so far, and those they queue, has run. */
function flush(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

interface Entry {
  readonly at: number;
  readonly order: number;
  readonly run: () => void;
}

/** The virtual clock: events run one at a time, by tick, then in the order scheduled. */
class Agenda {
  private readonly entries: Entry[] = [];
  private scheduled = 0;
  /** The current tick: 0 in the call phase. */
  now = 0;
  moment: Moment = 'call';

  at(at: number, run: () => void): Entry {
    const entry = { at, order: this.scheduled++, run };
    this.entries.push(entry);
    return entry;
  }

  cancel(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Lets the call phase finish, then runs every event, one macrotask each. */
  async runAll(): Promise<void> {
    await flush();
    for (;;) {
      this.entries.sort((a, b) => a.at - b.at || a.order - b.order);
      const entry = this.entries.shift();
      if (entry === undefined) break;
      this.now = entry.at;
      this.moment = entry.at;
      entry.run();
      await flush();
    }
    // Unhandled rejections are reported once the microtask queue has drained.
    await flush();
  }
}

/** Virtual `setTimeout` / `clearTimeout` on the agenda, each timer tagged with its owner. */
function installVirtualTimers(agenda: Agenda, owner: () => number | undefined) {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const live = new Map<number, { entry: Entry; owner: number | undefined }>();
  let lastId = 0;
  const setTimeoutVirtual = (handler: unknown, delay?: unknown, ...args: unknown[]): number => {
    if (typeof handler !== 'function') throw new TypeError('virtual setTimeout: not a function');
    const id = ++lastId;
    const ticks = Math.max(0, Number(delay) || 0);
    const entry = agenda.at(agenda.now + ticks, () => {
      live.delete(id);
      Reflect.apply(handler, undefined, args);
    });
    live.set(id, { entry, owner: owner() });
    return id;
  };
  const clearTimeoutVirtual = (id: unknown): void => {
    const timer = typeof id === 'number' ? live.get(id) : undefined;
    if (timer === undefined) return;
    live.delete(id as number);
    agenda.cancel(timer.entry);
  };
  globalThis.setTimeout = setTimeoutVirtual as unknown as typeof setTimeout;
  globalThis.clearTimeout = clearTimeoutVirtual as unknown as typeof clearTimeout;
  return {
    /** Timers armed and not yet fired or cleared, whoever armed them. */
    get live(): number {
      return live.size;
    },
    /** Timers armed while `owner` was being called and not yet fired or cleared. */
    liveOf(of: number): number {
      let count = 0;
      for (const timer of live.values()) if (timer.owner === of) count++;
      return count;
    },
    restore(): void {
      globalThis.setTimeout = realSetTimeout;
      globalThis.clearTimeout = realClearTimeout;
    },
  };
}

/** Collects the promise rejections reported unhandled while it is listening. */
function listenForUnhandledRejections() {
  const reasons: unknown[] = [];
  const record = (reason: unknown) => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', record);
  return { reasons, stop: () => process.off('unhandledRejection', record) };
}

/** A thenable (not a promise) that settles when the scenario says, counting `then` calls. */
export class ScheduledThenable implements PromiseLike<unknown> {
  thenCalls = 0;
  private outcome: Outcome | undefined = undefined;
  private readonly waiting: ((outcome: Outcome) => void)[] = [];

  // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this class.
  then<R1 = unknown, R2 = never>(
    onFulfilled?: ((value: unknown) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    this.thenCalls++;
    const deliver = (outcome: Outcome) => {
      if (outcome.fulfils) onFulfilled?.(outcome.value);
      else onRejected?.(outcome.reason);
    };
    if (this.outcome !== undefined) deliver(this.outcome);
    else this.waiting.push(deliver);
    return new Promise<R1 | R2>(() => {});
  }

  settle(outcome: Outcome): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    for (const deliver of this.waiting.splice(0)) deliver(outcome);
  }
}

/** A promise or thenable the harness settles. */
function settleable(kind: 'promise' | 'thenable'): {
  readonly promise: PromiseLike<unknown>;
  readonly thenable: ScheduledThenable | undefined;
  settle(outcome: Outcome): void;
} {
  if (kind === 'thenable') {
    const thenable = new ScheduledThenable();
    return { promise: thenable, thenable, settle: (outcome) => thenable.settle(outcome) };
  }
  const { promise, resolve, reject } = deferred<unknown>();
  return {
    promise,
    thenable: undefined,
    settle: (outcome) => (outcome.fulfils ? resolve(outcome.value) : reject(outcome.reason)),
  };
}

/** A signal-like object (not an `AbortSignal`) that counts its listeners. */
class SignalLike implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  readonly listeners = new Set<() => void>();
  maxListeners = 0;

  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort') return;
    this.listeners.add(listener);
    this.maxListeners = Math.max(this.maxListeners, this.listeners.size);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort') this.listeners.delete(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of [...this.listeners]) listener();
  }
}

/** The caller's signal, of either flavour. */
interface Caller {
  readonly signal: AbortSignalLike;
  abort(reason: unknown): void;
  /** `signal.reason`: for an `AbortController` aborted with `undefined`, its own DOMException. */
  readonly reason: unknown;
  /** `'abort'` listeners on it now, and the most there ever were at once. */
  readonly listeners: { readonly now: number; readonly max: number };
}

function makeCaller(flavour: Scenario['caller']['flavour']): Caller {
  if (flavour === 'signal-like') {
    const signal = new SignalLike();
    return {
      signal,
      abort: (reason) => signal.abort(reason),
      get reason() {
        return signal.reason;
      },
      get listeners() {
        return { now: signal.listeners.size, max: signal.maxListeners };
      },
    };
  }
  const controller = new AbortController();
  const watch = watchAbortListeners(controller.signal);
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    get reason(): unknown {
      return controller.signal.reason;
    },
    get listeners() {
      return { now: watch.active, max: watch.maxActive };
    },
  };
}

export interface StartRecord {
  readonly index: number;
  readonly at: Moment;
  /** Called during the `gather(...)` call itself. */
  readonly synchronous: boolean;
  /** The signal it was handed was already aborted. */
  readonly signalWasAborted: boolean;
  /** The call's promise had already settled (as far as a reaction on it had seen). */
  readonly afterSettlement: boolean;
  /** asCompleted: its loop had already called `return()`. */
  readonly afterLeaving: boolean;
}

export type Settlement =
  | { readonly at: Moment; readonly status: 'fulfilled'; readonly value: unknown }
  | { readonly at: Moment; readonly status: 'rejected'; readonly reason: unknown };

/** What one call of an iterator method resolved with, and when; `undefined` while pending. */
export type StepRecord = Settlement | undefined;

/** An `asCompleted` call's loop: what it called and what it got. */
export interface LoopRecord {
  readonly consumer: Consumer;
  /** `iterator[Symbol.asyncIterator]()` returned the iterator itself (asCompleted 1). */
  selfIterable: boolean;
  /** Each `next()` of the loop, in call order. */
  readonly steps: { settled: StepRecord }[];
  /** The loop called `return()`. */
  left: boolean;
  returned:
    | { readonly calledAt: Moment; settled: StepRecord; afterwards: { settled: StepRecord } }
    | undefined;
}

/** What one call did. */
export interface CallRecord {
  readonly spec: CallSpec;
  settlement: Settlement | undefined;
  readonly starts: StartRecord[];
  /** The distinct signals handed to its task functions (the SPEC says one). */
  readonly signals: AbortSignal[];
  signalAbortedAt: Moment | undefined;
  /** Task functions started and not yet settled, now and at most. */
  running: number;
  maxRunning: number;
  /** Its task functions still running, and its timers still armed, when it settled. */
  runningAtSettlement: number;
  timersAtSettlement: number;
  /** Thenables passed in, by input index. */
  readonly thenables: (ScheduledThenable | undefined)[];
  /** asCompleted: its timers still armed just after its loop called `return()`. */
  timersAtLeaving: number | undefined;
  /** asCompleted only. Its `settlement` is the end of its loop: `return()` resolved, or else done. */
  readonly loop: LoopRecord | undefined;
}

export interface Observation {
  readonly calls: readonly CallRecord[];
  readonly caller: Caller;
  /** Task functions under the shared limit running at most at once, across calls. */
  readonly sharedMaxRunning: number;
  readonly unhandled: readonly unknown[];
}

/** The state one run shares between its task functions. */
interface World {
  readonly agenda: Agenda;
  readonly caller: Caller;
  readonly callerReason: unknown;
  readonly shared: { running: number; max: number };
  launching: boolean;
  /** Records that the call at `index` settled (for asCompleted: that its loop is over). */
  settled(index: number, settlement: Settlement): void;
  /** Records what the asCompleted call at `index` still holds once its loop has called `return()`. */
  left(index: number): void;
}

/** Records a task function's start; returns what it calls once it has settled. */
function started(world: World, call: CallRecord, index: number, signal: AbortSignal): () => void {
  call.starts.push({
    index,
    at: world.agenda.moment,
    synchronous: world.launching,
    signalWasAborted: signal.aborted,
    afterSettlement: call.settlement !== undefined,
    afterLeaving: call.loop?.left === true,
  });
  if (!call.signals.includes(signal)) {
    call.signals.push(signal);
    if (signal.aborted) call.signalAbortedAt ??= world.agenda.moment;
    signal.addEventListener('abort', () => {
      call.signalAbortedAt ??= world.agenda.moment;
    });
  }
  const shared = call.spec.limit.kind === 'shared';
  call.running++;
  call.maxRunning = Math.max(call.maxRunning, call.running);
  if (shared) {
    world.shared.running++;
    world.shared.max = Math.max(world.shared.max, world.shared.running);
  }
  let finished = false;
  return () => {
    if (finished) return;
    finished = true;
    call.running--;
    if (shared) world.shared.running--;
  };
}

type AsyncSpec = Extract<TaskSpec, { kind: 'async' }>;

function onErrorOf(kind: 'absent' | 'returns' | 'throws' | 'rejects', failure: unknown) {
  switch (kind) {
    case 'absent':
      return undefined;
    case 'returns':
      return () => 'handled';
    case 'throws':
      return () => {
        throw failure;
      };
    case 'rejects':
      return () => Promise.reject(failure);
  }
}

/** What a task function does besides settling: a group's task functions spawn. */
interface TaskHooks {
  /** Synchronously as it starts, before it returns or throws. */
  asItStarts(): void;
  /** At its own event, if still running then, before it settles. */
  atItsEvent(): void;
}

const noHooks: TaskHooks = { asItStarts: ignore, atItsEvent: ignore };

/** An asynchronous task function of a call: settles at its own event, or as its signal makes it. */
function asyncTask(world: World, call: CallRecord, spec: AsyncSpec, index: number) {
  return asyncTaskFunction(world.agenda, spec, (signal) => started(world, call, index, signal));
}

/**
 * An asynchronous task function: settles at its own event, or as its signal makes it.
 * `begin` records its start, and returns what to call once it has settled.
 */
function asyncTaskFunction(
  agenda: Agenda,
  spec: AsyncSpec,
  begin: (signal: AbortSignal) => () => void,
  hooks: TaskHooks = noHooks,
) {
  const run = (signal: AbortSignal, finish: () => void): PromiseLike<unknown> => {
    hooks.asItStarts();
    const result = settleable(spec.returns);
    let done = false;
    const settle = (outcome: Outcome) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      finish();
      result.settle(outcome);
    };
    const onAbort = () => {
      const reaction = spec.onAbort;
      if (reaction.kind === 'ignores') return;
      const answer: Outcome =
        reaction.kind === 'fulfils'
          ? { fulfils: true, value: reaction.value }
          : { fulfils: false, reason: signal.reason };
      if (reaction.after === 'at once') settle(answer);
      else agenda.at(agenda.now + reaction.after, () => settle(answer));
    };
    if (spec.after !== 'never') {
      agenda.at(agenda.now + spec.after, () => {
        if (done) return;
        hooks.atItsEvent();
        settle(spec.outcome);
      });
    }
    if (spec.onAbort.kind !== 'ignores') {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort);
    }
    return result.promise;
  };
  if (spec.isolate === undefined) return (signal: AbortSignal) => run(signal, begin(signal));
  const options: IsolateOptions<unknown> = {
    fallback: spec.isolate.fallback,
    onError: onErrorOf(spec.isolate.onError, spec.isolate.failure),
  };
  const isolated = isolate((signal: AbortSignal) => run(signal, () => {}), options);
  return (signal: AbortSignal) => {
    const finish = begin(signal);
    const promise = isolated(signal);
    promise.then(finish, finish);
    return promise;
  };
}

/** The task a scenario's slot stands for; promises and thenables get their events now. */
function makeTask(world: World, call: CallRecord, spec: TaskSpec, index: number): unknown {
  switch (spec.kind) {
    case 'value':
      return spec.value;
    case 'promise':
    case 'thenable': {
      const { promise, thenable, settle } = settleable(spec.kind);
      if (thenable !== undefined) call.thenables[index] = thenable;
      if (spec.at !== 'never') world.agenda.at(spec.at, () => settle(spec.outcome));
      return promise;
    }
    case 'sync':
      return (signal: AbortSignal) => {
        const finish = started(world, call, index, signal);
        try {
          if (spec.outcome.fulfils) return spec.outcome.value;
          throw spec.outcome.reason;
        } finally {
          finish();
        }
      };
    case 'abortsCaller':
      return (signal: AbortSignal) => {
        const finish = started(world, call, index, signal);
        try {
          world.caller.abort(world.callerReason);
          return spec.value;
        } finally {
          finish();
        }
      };
    case 'async':
      return asyncTask(world, call, spec, index);
  }
}

/** The key of the task at `index` in a keyed input. */
export const keyOf = (index: number): string => `task ${index}`;

/** The tasks in the input shape the call spec names. */
function shaped(tasks: readonly unknown[], input: CallSpec['input']): object {
  switch (input) {
    case 'array':
      return tasks;
    case 'generator':
      return (function* () {
        yield* tasks;
      })();
    case 'object':
      return Object.fromEntries(tasks.map((task, index) => [keyOf(index), task]));
    case 'map':
      return new Map(tasks.map((task, index) => [keyOf(index), task]));
  }
}

function optionsOf(spec: CallSpec, caller: Caller, limit: GatherOptions['limit']): GatherOptions {
  return {
    signal: spec.usesCallerSignal ? caller.signal : undefined,
    timeout: spec.timeout,
    waitForCleanup: spec.waitForCleanup,
    concurrency: spec.limit.kind === 'concurrency' ? spec.limit.n : undefined,
    limit: spec.limit.kind === 'shared' ? limit : undefined,
  };
}

type Iterator = AsyncIterableIterator<unknown>;

/** Records the moment and the outcome of `promise` in `into`. */
function record(world: World, promise: PromiseLike<unknown>, into: { settled: StepRecord }): void {
  promise.then(
    (value) => {
      into.settled = { at: world.agenda.moment, status: 'fulfilled', value };
    },
    (reason: unknown) => {
      into.settled = { at: world.agenda.moment, status: 'rejected', reason };
    },
  );
}

/**
 * The iterator as the loop sees it: every `next()` and `return()` goes to the
 * library's iterator and is recorded. After `return()`, one more `next()` is made.
 */
function tapped(world: World, index: number, loop: LoopRecord, iterator: Iterator): Iterator {
  const tap: Iterator = {
    [Symbol.asyncIterator]: () => tap,
    next() {
      const step = { settled: undefined as StepRecord };
      loop.steps.push(step);
      const promise = iterator.next();
      record(world, promise, step);
      promise.then((result) => {
        if (result.done === true && !loop.left) {
          world.settled(index, { at: world.agenda.moment, status: 'fulfilled', value: undefined });
        }
      }, ignore);
      return promise;
    },
    return() {
      loop.left = true;
      const returned = {
        calledAt: world.agenda.moment,
        settled: undefined as StepRecord,
        afterwards: { settled: undefined as StepRecord },
      };
      loop.returned = returned;
      const promise = iterator.return?.() ?? Promise.reject(new Error('no return() method'));
      record(world, promise, returned);
      promise.then(
        () =>
          world.settled(index, { at: world.agenda.moment, status: 'fulfilled', value: undefined }),
        ignore,
      );
      record(world, iterator.next(), returned.afterwards);
      world.left(index);
      return promise;
    },
  };
  return tap;
}

function ignore(): void {}

/** The loop `consumer` describes, over the iterator of the call at `index`. */
function consume(world: World, index: number, loop: LoopRecord, iterator: Iterator): void {
  const consumer = loop.consumer;
  loop.selfIterable = iterator[Symbol.asyncIterator]() === iterator;
  const tap = tapped(world, index, loop, iterator);
  const { leaves } = consumer;
  const leave = () => {
    if (leaves?.when === 'after the tick') {
      const { agenda } = world;
      agenda.at(agenda.now + leaveDelay(index), () => void tap.return?.());
    } else void tap.return?.();
  };
  if (leaves?.after === 0) {
    leave();
    return;
  }
  if (consumer.batch === 1 && leaves?.when !== 'after the tick') {
    // The everyday loop: `for await`, and `break` once it has taken enough.
    void (async () => {
      let taken = 0;
      try {
        for await (const _ of tap) {
          taken++;
          if (leaves !== undefined && taken >= leaves.after) break;
        }
      } catch {
        // A rejected next() is recorded in its step.
      }
    })();
    return;
  }
  // Batches of next() calls, each batch once the last has resolved.
  let taken = 0;
  let waiting = 0;
  let stopped = false;
  const ask = () => {
    for (let count = 0; count < consumer.batch; count++) {
      waiting++;
      tap.next().then(
        (result) => {
          waiting--;
          if (stopped) return;
          if (result.done === true) stopped = true;
          else taken++;
          if (stopped || waiting > 0) return;
          if (leaves !== undefined && taken >= leaves.after) {
            stopped = true;
            leave();
          } else ask();
        },
        () => {
          waiting--;
          stopped = true;
        },
      );
    }
  };
  ask();
}

/** The call `api` names: its promise, or for `asCompleted` its iterator. */
function makeCall(api: Api, input: object, options: GatherOptions): Promise<unknown> | Iterator {
  switch (api) {
    case 'gather':
      return gather(input, options);
    case 'gatherSettled':
      return gatherSettled(input, options);
    case 'first':
      return first(input, options);
    case 'asCompleted':
      return asCompleted(input, options);
  }
}

/** Runs `scenario` against the library and records what happened. */
export async function observe(scenario: Scenario): Promise<Observation> {
  const agenda = new Agenda();
  let launchingCall: number | undefined;
  const timers = installVirtualTimers(agenda, () => launchingCall);
  const unhandled = listenForUnhandledRejections();
  try {
    const caller = makeCaller(scenario.caller.flavour);
    const { abortAt, reason } = scenario.caller;
    if (abortAt === 'before') caller.abort(reason);
    else if (abortAt !== 'never') agenda.at(abortAt, () => caller.abort(reason));
    const records: CallRecord[] = scenario.calls.map((spec) => ({
      spec,
      settlement: undefined,
      starts: [],
      signals: [],
      signalAbortedAt: undefined,
      running: 0,
      maxRunning: 0,
      runningAtSettlement: 0,
      timersAtSettlement: 0,
      thenables: spec.tasks.map(() => undefined),
      timersAtLeaving: undefined,
      loop:
        spec.api === 'asCompleted'
          ? {
              consumer: spec.consumer ?? { startsAt: 'call', batch: 1, leaves: undefined },
              selfIterable: true,
              steps: [],
              left: false,
              returned: undefined,
            }
          : undefined,
    }));
    const world: World = {
      agenda,
      caller,
      callerReason: reason,
      shared: { running: 0, max: 0 },
      launching: false,
      settled(index, settlement) {
        const settled = records[index] as CallRecord;
        if (settled.settlement !== undefined) return;
        settled.settlement = settlement;
        settled.runningAtSettlement = settled.running;
        settled.timersAtSettlement = timers.liveOf(index);
      },
      left(index) {
        (records[index] as CallRecord).timersAtLeaving = timers.liveOf(index);
      },
    };
    const inputs = records.map((record) =>
      record.spec.tasks.map((task, index) => makeTask(world, record, task, index)),
    );
    const limit = pLimit(scenario.sharedLimit);

    // Loops that begin to read later: scheduled before the calls, as in the model.
    const iterators: (Iterator | undefined)[] = [];
    records.forEach((record, index) => {
      const startsAt = record.loop?.consumer.startsAt;
      if (typeof startsAt !== 'number') return;
      agenda.at(startsAt, () => {
        const iterator = iterators[index];
        if (record.loop !== undefined && iterator !== undefined) {
          consume(world, index, record.loop, iterator);
        }
      });
    });

    world.launching = true;
    const promises = records.map((record, index) => {
      launchingCall = index;
      const input = shaped(inputs[index] ?? [], record.spec.input);
      const made = makeCall(record.spec.api, input, optionsOf(record.spec, caller, limit));
      if (made instanceof Promise) return made;
      iterators[index] = made;
      return undefined;
    });
    launchingCall = undefined;
    world.launching = false;

    records.forEach((record, index) => {
      const iterator = iterators[index];
      if (record.loop?.consumer.startsAt === 'call' && iterator !== undefined) {
        consume(world, index, record.loop, iterator);
      }
    });
    promises.forEach((promise, index) => {
      promise?.then(
        (value) => world.settled(index, { at: agenda.moment, status: 'fulfilled', value }),
        (reason: unknown) =>
          world.settled(index, { at: agenda.moment, status: 'rejected', reason }),
      );
    });
    await agenda.runAll();
    return {
      calls: records,
      caller,
      sharedMaxRunning: world.shared.max,
      unhandled: unhandled.reasons,
    };
  } finally {
    timers.restore();
    unhandled.stop();
  }
}

// ---- TaskGroup ----

export interface GroupStartRecord {
  readonly spawn: number;
  readonly at: Moment;
  /** Called while its own `spawn(…)` call was on the stack. */
  readonly synchronous: boolean;
  /** Handed the signal `group.signal` returns. */
  readonly groupSignal: boolean;
  /** The signal it was handed was already aborted. */
  readonly signalWasAborted: boolean;
  /** `join()` or the dispose had already settled (as far as a reaction on it had seen). */
  readonly afterSettlement: boolean;
}

export interface SpawnRecord {
  /** How many times it was spawned (its spawner ran once, so at most once). */
  made: number;
  madeAt: Moment | undefined;
  /** What `spawn` threw. */
  threw: { readonly error: unknown } | undefined;
  /** What `spawn` returned was a native promise. */
  returnedPromise: boolean;
  settled: Settlement | undefined;
  /** Its spawner ignored the promise: read only once the run was over, so its moment says nothing. */
  readLate: boolean;
}

/** `join()` or `[Symbol.asyncDispose]()`. */
export interface EndingRecord {
  readonly calledAt: Moment;
  settled: Settlement | undefined;
  /** Task functions of the group still running, and timers armed, when it settled. */
  runningAtSettlement: number;
  timersAtSettlement: number;
}

export interface GroupObservation {
  readonly starts: readonly GroupStartRecord[];
  readonly spawns: readonly SpawnRecord[];
  readonly join: EndingRecord | undefined;
  /** A second `join()` returned the same promise as the first (TaskGroup 3). */
  readonly joinSamePromise: boolean;
  readonly dispose: EndingRecord | undefined;
  /** `group.signal`, and when it aborted. */
  readonly signal: AbortSignal;
  readonly signalAbortedAt: Moment | undefined;
  /** `signal` is an accessor without a setter (TaskGroup 1). */
  readonly signalAccessor: boolean;
  readonly maxRunning: number;
  /** Task functions still running once every event has run. */
  readonly runningAtEnd: number;
  readonly caller: Caller;
  /** Timers still armed once every event has run. */
  readonly timersAtEnd: number;
  readonly unhandled: readonly unknown[];
}

/** A task function of the group, spawning what `hooks` say. */
function groupTaskFunction(
  agenda: Agenda,
  caller: Caller,
  callerReason: unknown,
  spec: GroupTask,
  begin: (signal: AbortSignal) => () => void,
  hooks: TaskHooks,
): (signal: AbortSignal) => unknown {
  switch (spec.kind) {
    case 'sync':
      return (signal) => {
        const finish = begin(signal);
        try {
          hooks.asItStarts();
          if (spec.outcome.fulfils) return spec.outcome.value;
          throw spec.outcome.reason;
        } finally {
          finish();
        }
      };
    case 'abortsCaller':
      return (signal) => {
        const finish = begin(signal);
        try {
          hooks.asItStarts();
          caller.abort(callerReason);
          return spec.value;
        } finally {
          finish();
        }
      };
    case 'async':
      return asyncTaskFunction(agenda, spec, begin, hooks);
  }
}

/** Runs a group scenario against the library and records what happened. */
export async function observeGroup(scenario: GroupScenario): Promise<GroupObservation> {
  const agenda = new Agenda();
  const timers = installVirtualTimers(agenda, () => undefined);
  const unhandled = listenForUnhandledRejections();
  try {
    const caller = makeCaller(scenario.caller.flavour);
    const { abortAt, reason: callerReason } = scenario.caller;
    if (abortAt === 'before') caller.abort(callerReason);
    else if (abortAt !== 'never') agenda.at(abortAt, () => caller.abort(callerReason));

    const { limit } = scenario;
    const options: TaskGroupOptions = {
      signal: scenario.usesCallerSignal ? caller.signal : undefined,
      timeout: scenario.timeout,
      concurrency: limit.kind === 'concurrency' ? limit.n : undefined,
      limit: limit.kind === 'shared' ? pLimit(scenario.sharedLimit) : undefined,
    };
    const group = new TaskGroup(options);
    const { signal } = group;
    let signalAbortedAt: Moment | undefined;
    if (signal.aborted) signalAbortedAt = agenda.moment;
    else signal.addEventListener('abort', () => (signalAbortedAt ??= agenda.moment));
    const descriptor = Object.getOwnPropertyDescriptor(TaskGroup.prototype, 'signal');
    const signalAccessor =
      typeof descriptor?.get === 'function' &&
      descriptor.set === undefined &&
      !('value' in descriptor);

    const starts: GroupStartRecord[] = [];
    const spawns: SpawnRecord[] = scenario.spawns.map(() => ({
      made: 0,
      madeAt: undefined,
      threw: undefined,
      returnedPromise: false,
      settled: undefined,
      readLate: false,
    }));
    const ignored: [SpawnRecord, Promise<unknown>][] = [];
    /** Spawns whose `spawn(…)` call is on the stack. */
    const inSpawn = new Set<number>();
    let running = 0;
    let maxRunning = 0;
    let groupSettled = false;

    const begin = (index: number) => (taskSignal: AbortSignal) => {
      starts.push({
        spawn: index,
        at: agenda.moment,
        synchronous: inSpawn.has(index),
        groupSignal: taskSignal === group.signal,
        signalWasAborted: taskSignal.aborted,
        afterSettlement: groupSettled,
      });
      running++;
      maxRunning = Math.max(maxRunning, running);
      let finished = false;
      return () => {
        if (finished) return;
        finished = true;
        running--;
      };
    };

    const functions: ((signal: AbortSignal) => unknown)[] = [];
    const spawn = (index: number): void => {
      const record = spawns[index] as SpawnRecord;
      record.made++;
      record.madeAt = agenda.moment;
      let promise: Promise<unknown>;
      inSpawn.add(index);
      try {
        promise = group.spawn(functions[index] as (signal: AbortSignal) => unknown);
      } catch (error) {
        record.threw = { error };
        return;
      } finally {
        inSpawn.delete(index);
      }
      record.returnedPromise = promise instanceof Promise;
      if (scenario.spawns[index]?.ignored) ignored.push([record, promise]);
      else settlementOf(agenda, promise, (settlement) => (record.settled = settlement));
    };
    const children = (parent: number, when: 'as it starts' | 'at its event') => () => {
      scenario.spawns.forEach((spec, index) => {
        if (spec.by.kind === 'inside' && spec.by.parent === parent && spec.by.when === when) {
          spawn(index);
        }
      });
    };
    scenario.spawns.forEach((spec, index) => {
      functions[index] = groupTaskFunction(agenda, caller, callerReason, spec.task, begin(index), {
        asItStarts: children(index, 'as it starts'),
        atItsEvent: children(index, 'at its event'),
      });
    });

    let join: EndingRecord | undefined;
    let joinSamePromise = true;
    let dispose: EndingRecord | undefined;
    const ending = (promise: Promise<unknown>): EndingRecord => {
      const record: EndingRecord = {
        calledAt: agenda.moment,
        settled: undefined,
        runningAtSettlement: 0,
        timersAtSettlement: 0,
      };
      settlementOf(agenda, promise, (settlement) => {
        record.settled = settlement;
        record.runningAtSettlement = running;
        record.timersAtSettlement = timers.live;
        groupSettled = true;
      });
      return record;
    };
    const step = (made: GroupStep): void => {
      switch (made.kind) {
        case 'spawn':
          spawn(made.spawn);
          break;
        case 'join': {
          const promise = group.join();
          joinSamePromise &&= group.join() === promise;
          join ??= ending(promise);
          break;
        }
        case 'dispose':
          dispose ??= ending(group[Symbol.asyncDispose]());
          break;
        case 'abort':
          if (made.reason.given) group.abort(made.reason.value);
          else group.abort();
          break;
      }
    };

    for (const made of scenario.steps) {
      const { at } = made;
      if (at !== 'call') agenda.at(at, () => step(made));
    }
    for (const made of scenario.steps) if (made.at === 'call') step(made);
    await agenda.runAll();
    // Ignored promises: any unhandled rejection has been reported; now read them.
    for (const [record, promise] of ignored) {
      record.readLate = true;
      settlementOf(agenda, promise, (settlement) => (record.settled = settlement));
    }
    await flush();
    return {
      starts,
      spawns,
      join,
      joinSamePromise,
      dispose,
      signal,
      signalAbortedAt,
      signalAccessor,
      maxRunning,
      runningAtEnd: running,
      caller,
      timersAtEnd: timers.live,
      unhandled: unhandled.reasons,
    };
  } finally {
    timers.restore();
    unhandled.stop();
  }
}

/** Calls `then` with the moment and the outcome of `promise` once it settles. */
function settlementOf(
  agenda: Agenda,
  promise: Promise<unknown>,
  then: (settlement: Settlement) => void,
): void {
  promise.then(
    (value) => then({ at: agenda.moment, status: 'fulfilled', value }),
    (reason: unknown) => then({ at: agenda.moment, status: 'rejected', reason }),
  );
}

// ---- isolate on its own ----

/** What `isolate` wraps; a promise or thenable gets its event now. */
function isolatedTask(agenda: Agenda, task: IsolateScenario['task']): unknown {
  switch (task.kind) {
    case 'value':
      return task.value;
    case 'promise':
    case 'thenable': {
      const made = settleable(task.kind);
      agenda.at(task.at, () => made.settle(task.outcome));
      return made.promise;
    }
    case 'sync':
      return () => {
        if (task.outcome.fulfils) return task.outcome.value;
        throw task.outcome.reason;
      };
    case 'async':
      return () => {
        const made = settleable('promise');
        agenda.at(agenda.now + task.after, () => made.settle(task.outcome));
        return made.promise;
      };
  }
}

export interface IsolateObservation {
  readonly settlement: Settlement | undefined;
  readonly onErrorCalls: readonly unknown[];
  readonly unhandled: readonly unknown[];
}

/** Runs an `isolate` scenario: the isolated task function called once, at `callAt`. */
export async function observeIsolate(scenario: IsolateScenario): Promise<IsolateObservation> {
  const agenda = new Agenda();
  const unhandled = listenForUnhandledRejections();
  try {
    const { signal: signalSpec, task, fallback, onError } = scenario;
    // Scheduled in the model's order: the abort, the task, the fallback, the call.
    const controller = signalSpec.kind === 'given' ? new AbortController() : undefined;
    if (controller !== undefined && signalSpec.kind === 'given') {
      const { abortAt } = signalSpec;
      if (abortAt === 'before') controller.abort();
      else if (abortAt !== 'never') agenda.at(abortAt, () => controller.abort());
    }

    const wrapped = isolatedTask(agenda, task);

    let fallbackValue: unknown;
    if (fallback.kind === 'value') fallbackValue = fallback.value;
    else {
      const made = settleable(fallback.kind);
      // The caller's own promise, adopted only if a failure needs it.
      made.promise.then(undefined, () => {});
      agenda.at(fallback.at, () => made.settle(fallback.outcome));
      fallbackValue = made.promise;
    }

    const onErrorCalls: unknown[] = [];
    const later = (after: number, outcome: Outcome): PromiseLike<unknown> => {
      const made = settleable('promise');
      agenda.at(agenda.now + after, () => made.settle(outcome));
      return made.promise;
    };
    const options: IsolateOptions<unknown> = { fallback: fallbackValue };
    if (onError.kind === 'returns') {
      options.onError = (error) => {
        onErrorCalls.push(error);
        const handled: Outcome = { fulfils: true, value: 'handled' };
        return onError.after === 'at once' ? 'handled' : later(onError.after, handled);
      };
    } else if (onError.kind === 'throws') {
      options.onError = (error) => {
        onErrorCalls.push(error);
        throw onError.failure;
      };
    } else if (onError.kind === 'rejects') {
      options.onError = (error) => {
        onErrorCalls.push(error);
        const failed: Outcome = { fulfils: false, reason: onError.failure };
        return onError.after === 'at once'
          ? Promise.reject(onError.failure)
          : later(onError.after, failed);
      };
    }

    const isolated = isolate(wrapped, options);
    let settlement: Settlement | undefined;
    if (scenario.callAt !== 'never') {
      agenda.at(scenario.callAt, () => {
        const promise = controller === undefined ? isolated() : isolated(controller.signal);
        promise.then(
          (value) => {
            settlement = { at: agenda.moment, status: 'fulfilled', value };
          },
          (reason: unknown) => {
            settlement = { at: agenda.moment, status: 'rejected', reason };
          },
        );
      });
    }
    await agenda.runAll();
    return { settlement, onErrorCalls, unhandled: unhandled.reasons };
  } finally {
    unhandled.stop();
  }
}
