/**
 * Compares what the library did (`harness.ts`) with what the model says
 * (`model.ts`), and states the properties that need no model. Each check throws one
 * error listing every difference, so fast-check reports (and shrinks) the scenario.
 */
import { inspect } from 'node:util';
import {
  type CallRecord,
  type EndingRecord,
  type GroupObservation,
  type IsolateObservation,
  keyOf,
  type Observation,
  type Settlement,
  type SpawnRecord,
} from './harness';
import type {
  CallResult,
  CallSpec,
  CompletedEntry,
  ExpectedCall,
  ExpectedEnding,
  ExpectedGroup,
  ExpectedIsolated,
  ExpectedSpawn,
  ExpectedStep,
  GroupScenario,
  Moment,
  Reason,
  Slot,
} from './model';

/** A value for a message; an error as its name, message and own cause, without its stack. */
export const show = (value: unknown): string => {
  if (!(value instanceof Error)) return inspect(value, { depth: 3, breakLength: 160 });
  const name = value instanceof DOMException ? `DOMException [${value.name}]` : value.name;
  const cause = Object.getOwnPropertyDescriptor(value, 'cause');
  return `${name}(${JSON.stringify(value.message)})${cause === undefined ? '' : ` with cause ${show(cause.value)}`}`;
};

const showMoment = (moment: Moment): string =>
  moment === 'call' ? 'in the call phase' : `at tick ${moment}`;

/** Moments in time order: the call phase first. */
const rank = (moment: Moment): number => (moment === 'call' ? -1 : moment);

function isNamedError(value: unknown, name: string): value is DOMException {
  return value instanceof DOMException && value.name === name;
}

function ownCause(value: object): { readonly has: boolean; readonly value: unknown } {
  const descriptor = Object.getOwnPropertyDescriptor(value, 'cause');
  return { has: descriptor !== undefined, value: descriptor?.value };
}

/** Matches real reasons against the model's, within one call. */
class Reasons {
  private readonly callerReason: unknown;
  private readonly signal: AbortSignal | undefined;
  private timeoutError: DOMException | undefined = undefined;

  constructor(callerReason: unknown, signal: AbortSignal | undefined) {
    this.callerReason = callerReason;
    this.signal = signal;
    if (signal?.aborted && isNamedError(signal.reason, 'TimeoutError')) {
      this.timeoutError = signal.reason;
    }
  }

  matches(expected: Reason, actual: unknown): boolean {
    switch (expected.kind) {
      case 'value':
        return Object.is(actual, expected.value);
      case 'caller':
        return Object.is(actual, this.callerReason);
      case 'timeout':
        // The same TimeoutError everywhere in one call: the signal's, the rejection's, the slots'.
        if (!isNamedError(actual, 'TimeoutError')) return false;
        this.timeoutError ??= actual;
        return actual === this.timeoutError;
      case 'abort': {
        if (!isNamedError(actual, 'AbortError')) return false;
        const cause = ownCause(actual);
        return cause.has && this.matches(expected.cause, cause.value);
      }
      case 'default abort':
        return isNamedError(actual, 'AbortError');
      case 'all rejected': {
        if (!(actual instanceof AggregateError) || !Array.isArray(actual.errors)) return false;
        const errors: unknown[] = actual.errors;
        return (
          errors.length === expected.errors.length &&
          expected.errors.every((error, index) => this.matches(error, errors[index]))
        );
      }
      case 'signal reason':
        return (
          isNamedError(actual, 'AbortError') &&
          this.signal?.aborted === true &&
          actual === this.signal.reason
        );
    }
  }

  describe(expected: Reason): string {
    switch (expected.kind) {
      case 'value':
        return show(expected.value);
      case 'caller':
        return `the caller's reason (${show(this.callerReason)})`;
      case 'timeout':
        return 'a TimeoutError DOMException';
      case 'abort':
        return `an AbortError DOMException caused by ${this.describe(expected.cause)}`;
      case 'default abort':
        return 'an AbortError DOMException';
      case 'all rejected':
        return `an AggregateError of [${expected.errors.map((error) => this.describe(error)).join(', ')}]`;
      case 'signal reason':
        return "the AbortError DOMException of the group's signal, the same object";
    }
  }
}

/**
 * SPEC gather 1: the output has the input's shape — an array for an iterable; a
 * plain object with a `null` prototype and the same keys in the same order; a Map
 * with the same keys in the same order. Returns its entries in input order, or
 * `undefined` when the shape is wrong.
 */
export function positional(value: unknown, spec: CallSpec): readonly unknown[] | undefined {
  const keys = spec.tasks.map((_, index) => keyOf(index));
  const sameKeys = (actual: readonly unknown[]) =>
    actual.length === keys.length && keys.every((key, index) => actual[index] === key);
  switch (spec.input) {
    case 'array':
    case 'generator':
      return Array.isArray(value) ? value : undefined;
    case 'object': {
      if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== null) {
        return undefined;
      }
      const entries = value as Record<string, unknown>;
      return sameKeys(Reflect.ownKeys(value)) ? keys.map((key) => entries[key]) : undefined;
    }
    case 'map':
      return value instanceof Map && sameKeys([...value.keys()])
        ? keys.map((key) => value.get(key))
        : undefined;
  }
}

function showSettlement(settlement: Settlement): string {
  const outcome =
    settlement.status === 'fulfilled'
      ? `fulfilled with ${show(settlement.value)}`
      : `rejected with ${show(settlement.reason)}`;
  return `${outcome} ${showMoment(settlement.at)}`;
}

function slotProblem(expected: Slot, actual: unknown, reasons: Reasons): boolean {
  if (typeof actual !== 'object' || actual === null) return true;
  const keys = Object.keys(actual).sort().join();
  const slot = actual as { status?: unknown; value?: unknown; reason?: unknown };
  if (expected.status === 'fulfilled') {
    return (
      keys !== 'status,value' ||
      slot.status !== 'fulfilled' ||
      !Object.is(slot.value, expected.value)
    );
  }
  return (
    keys !== 'reason,status' ||
    slot.status !== 'rejected' ||
    !reasons.matches(expected.reason, slot.reason)
  );
}

function showSlot(slot: Slot, reasons: Reasons): string {
  return slot.status === 'fulfilled'
    ? `{ fulfilled: ${show(slot.value)} }`
    : `{ rejected: ${reasons.describe(slot.reason)} }`;
}

/** What the call settled with, and when. */
function settlementProblems(expected: ExpectedCall, call: CallRecord, reasons: Reasons): string[] {
  const { settlement } = call;
  const modelled = expected.settlement;
  if (modelled === undefined) {
    return settlement === undefined
      ? []
      : [`settled (${showSettlement(settlement)}) but must never settle`];
  }
  const { result } = modelled;
  let wanted: string;
  let differs: boolean;
  if (result.status === 'rejected') {
    wanted = `rejected with ${reasons.describe(result.reason)}`;
    differs =
      settlement?.status !== 'rejected' || !reasons.matches(result.reason, settlement.reason);
  } else if ('value' in result) {
    wanted = `fulfilled with ${show(result.value)}`;
    differs = settlement?.status !== 'fulfilled' || !Object.is(settlement.value, result.value);
  } else if ('values' in result) {
    wanted = `fulfilled with ${show(result.values)} (as ${call.spec.input} output)`;
    const value =
      settlement?.status === 'fulfilled' ? positional(settlement.value, call.spec) : undefined;
    differs =
      value === undefined ||
      value.length !== result.values.length ||
      result.values.some((item, index) => !Object.is(item, value[index]));
  } else {
    wanted = `fulfilled with [${result.slots.map((slot) => showSlot(slot, reasons)).join(', ')}] (as ${call.spec.input} output)`;
    const value =
      settlement?.status === 'fulfilled' ? positional(settlement.value, call.spec) : undefined;
    differs =
      value === undefined ||
      value.length !== result.slots.length ||
      result.slots.some((slot, index) => slotProblem(slot, value[index], reasons));
  }
  if (settlement === undefined) {
    return [`never settled, but must settle ${showMoment(modelled.at)}, ${wanted}`];
  }
  if (differs || settlement.at !== modelled.at) {
    return [`${showSettlement(settlement)}, but must be ${wanted} ${showMoment(modelled.at)}`];
  }
  return [];
}

/** Which task functions started, in which order, when. */
function startProblems(expected: ExpectedCall, call: CallRecord): string[] {
  const describe = (start: { index: number; at: Moment; synchronous: boolean }) =>
    `#${start.index} ${showMoment(start.at)}${start.synchronous ? ' (synchronously)' : ''}`;
  const actual = call.starts.map(describe).join(', ');
  const wanted = expected.starts.map(describe).join(', ');
  return actual === wanted ? [] : [`started [${actual}], but must start [${wanted}]`];
}

/** The one signal handed to its task functions, and how it was aborted. */
function signalProblems(
  expected: ExpectedCall,
  call: CallRecord,
  observation: Observation,
  reasons: Reasons,
): string[] {
  const [signal, ...others] = call.signals;
  if (signal === undefined) return [];
  const problems: string[] = [];
  if (others.length > 0) problems.push(`handed ${call.signals.length} different signals`);
  if (signal === observation.caller.signal) problems.push("handed the caller's own signal");
  const modelled = expected.signalAbort;
  if (modelled === undefined) {
    if (signal.aborted)
      problems.push(`aborted its signal with ${show(signal.reason)}, but must not`);
  } else if (!signal.aborted) {
    problems.push(
      `did not abort its signal; must abort it with ${reasons.describe(modelled.reason)}`,
    );
  } else if (
    !reasons.matches(modelled.reason, signal.reason) ||
    call.signalAbortedAt !== modelled.at
  ) {
    problems.push(
      `aborted its signal with ${show(signal.reason)} ${showMoment(call.signalAbortedAt ?? 'call')}, ` +
        `but must abort it with ${reasons.describe(modelled.reason)} ${showMoment(modelled.at)}`,
    );
  }
  return problems;
}

/** A thenable's `then` is called only when the call awaits it, once. */
function thenProblems(expected: ExpectedCall, call: CallRecord): string[] {
  const problems: string[] = [];
  call.thenables.forEach((thenable, index) => {
    const allowed = expected.thenCalls[index];
    if (thenable === undefined || allowed === undefined) return;
    const calls = thenable.thenCalls;
    const fits = allowed === 'never' ? calls === 0 : allowed === 'once' ? calls === 1 : calls <= 1;
    if (!fits)
      problems.push(`called then() of the thenable #${index} ${calls} time(s), ${allowed} allowed`);
  });
  return problems;
}

/** The key of an `asCompleted` entry (asCompleted 1): the index, or the key of keyed input. */
function entryKey(spec: CallSpec, index: number): unknown {
  return spec.input === 'array' || spec.input === 'generator' ? index : keyOf(index);
}

function entryMatches(
  expected: CompletedEntry,
  actual: unknown,
  spec: CallSpec,
  reasons: Reasons,
): boolean {
  if (typeof actual !== 'object' || actual === null) return false;
  const keys = Object.keys(actual).sort().join();
  const entry = actual as { key?: unknown; status?: unknown; value?: unknown; reason?: unknown };
  if (!Object.is(entry.key, entryKey(spec, expected.index))) return false;
  const { slot } = expected;
  if (slot.status === 'fulfilled') {
    return (
      keys === 'key,status,value' &&
      entry.status === 'fulfilled' &&
      Object.is(entry.value, slot.value)
    );
  }
  return (
    keys === 'key,reason,status' &&
    entry.status === 'rejected' &&
    reasons.matches(slot.reason, entry.reason)
  );
}

function showEntry(entry: CompletedEntry, spec: CallSpec, reasons: Reasons): string {
  return `{ key: ${show(entryKey(spec, entry.index))}, ${showSlot(entry.slot, reasons).slice(2)}`;
}

function showStep(step: Settlement | undefined): string {
  return step === undefined ? 'stayed pending' : showSettlement(step);
}

/** An iterator result `{ done, value }`, fulfilled. */
function iteratorResult(
  step: Settlement | undefined,
): { done: unknown; value: unknown } | undefined {
  if (step?.status !== 'fulfilled' || typeof step.value !== 'object' || step.value === null) {
    return undefined;
  }
  return step.value as { done: unknown; value: unknown };
}

const isDone = (step: Settlement | undefined): boolean => {
  const result = iteratorResult(step);
  return result?.done === true && result.value === undefined;
};

/**
 * What went wrong with one `next()` of the loop, if anything. `pools` holds, per
 * group, the entries of that group not yet handed out: within a group any order goes.
 */
function stepProblem(
  wanted: ExpectedStep,
  actual: Settlement | undefined,
  pools: Map<number, CompletedEntry[]>,
  spec: CallSpec,
  reasons: Reasons,
): string | undefined {
  switch (wanted.kind) {
    case 'pending':
      return actual === undefined ? undefined : `${showStep(actual)}, but must stay pending`;
    case 'done':
      return isDone(actual) && actual?.at === wanted.at
        ? undefined
        : `${showStep(actual)}, but must resolve { done: true, value: undefined } ${showMoment(wanted.at)}`;
    case 'entry': {
      const pool = pools.get(wanted.entry.group) ?? [];
      const result = iteratorResult(actual);
      const match =
        result?.done === false && actual?.at === wanted.at
          ? pool.findIndex((entry) => entryMatches(entry, result.value, spec, reasons))
          : -1;
      if (match >= 0) {
        pool.splice(match, 1);
        return undefined;
      }
      const choices = pool.map((entry) => showEntry(entry, spec, reasons)).join(' or ');
      return `${showStep(actual)}, but must resolve with the entry ${choices} ${showMoment(wanted.at)}`;
    }
  }
}

/**
 * asCompleted 1, 3, 5: each `next()` of the loop, in call order, resolves with the
 * entry the model gives (any of its group), or with the end, when the model says;
 * `return()` resolves when the model says, and a `next()` after it resolves done.
 */
function iterationProblems(expected: ExpectedCall, call: CallRecord, reasons: Reasons): string[] {
  const { iteration } = expected;
  const { loop } = call;
  if (iteration === undefined || loop === undefined) return [];
  const problems: string[] = [];
  if (!loop.selfIterable) problems.push('[Symbol.asyncIterator]() did not return the iterator');
  const pools = new Map<number, CompletedEntry[]>();
  for (const entry of iteration.completions) {
    const pool = pools.get(entry.group);
    if (pool === undefined) pools.set(entry.group, [entry]);
    else pool.push(entry);
  }
  const count = Math.max(iteration.steps.length, loop.steps.length);
  for (let index = 0; index < count; index++) {
    const wanted = iteration.steps[index];
    const made = loop.steps[index];
    let problem: string | undefined;
    if (wanted === undefined) {
      problem = `was called (${showStep(made?.settled)}), but the loop makes only ${iteration.steps.length} next() call(s)`;
    } else if (made === undefined) {
      problem = 'was never called: the loop stopped earlier than it must';
    } else problem = stepProblem(wanted, made.settled, pools, call.spec, reasons);
    if (problem !== undefined) {
      problems.push(`next() #${index} of its loop ${problem}`);
      break;
    }
  }
  const wantedReturn = iteration.returned;
  const { returned } = loop;
  if (wantedReturn === undefined) {
    if (returned !== undefined) problems.push('its loop called return(), but must not');
  } else if (returned === undefined) {
    problems.push(`its loop never called return(); must ${showMoment(wantedReturn.calledAt)}`);
  } else {
    if (returned.calledAt !== wantedReturn.calledAt) {
      problems.push(
        `its loop called return() ${showMoment(returned.calledAt)}, but must ${showMoment(wantedReturn.calledAt)}`,
      );
    }
    const { resolvedAt } = wantedReturn;
    if (resolvedAt === undefined) {
      if (returned.settled !== undefined) {
        problems.push(`return() ${showStep(returned.settled)}, but must stay pending`);
      }
    } else if (!isDone(returned.settled) || returned.settled?.at !== resolvedAt) {
      problems.push(
        `return() ${showStep(returned.settled)}, but must resolve { done: true, value: undefined } ${showMoment(resolvedAt)}`,
      );
    }
    const after = returned.afterwards.settled;
    const inTime =
      after !== undefined &&
      rank(after.at) >= rank(returned.calledAt) &&
      (resolvedAt === undefined || rank(after.at) <= rank(resolvedAt));
    if (!isDone(after) || !inTime) {
      problems.push(
        `a next() after return() ${showStep(after)}, but must resolve { done: true, value: undefined } by the time return() does`,
      );
    }
  }
  return problems;
}

type Aspect = 'settlement' | 'starts' | 'signal' | 'thenables' | 'iteration';

/** The calls did what the model says, in the aspects named. */
export function expectAsModelled(
  expected: readonly ExpectedCall[],
  observation: Observation,
  aspects: readonly Aspect[],
): void {
  const problems: string[] = [];
  observation.calls.forEach((call, index) => {
    const modelled = expected[index];
    if (modelled === undefined) throw new Error(`the model has no call #${index}`);
    const reasons = new Reasons(observation.caller.reason, call.signals[0]);
    const found: string[] = [];
    // Settlement first: the signal's TimeoutError is matched against the rejection's.
    if (aspects.includes('settlement')) found.push(...settlementProblems(modelled, call, reasons));
    if (aspects.includes('starts')) found.push(...startProblems(modelled, call));
    if (aspects.includes('signal'))
      found.push(...signalProblems(modelled, call, observation, reasons));
    if (aspects.includes('thenables')) found.push(...thenProblems(modelled, call));
    if (aspects.includes('iteration')) found.push(...iterationProblems(modelled, call, reasons));
    for (const problem of found) problems.push(`call #${index} (${call.spec.api}) ${problem}`);
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** Fails the run if something was reported as an unhandled rejection. */
export function expectNoUnhandledRejection(unhandled: readonly unknown[]): void {
  if (unhandled.length > 0) {
    throw new Error(
      `${unhandled.length} unhandled rejection(s): ${unhandled.map(show).join('; ')}`,
    );
  }
}

/**
 * Once settled, a call holds nothing: its timer is cleared, its link to the
 * caller's signal removed, and it never put more than one listener on that signal.
 * An `asCompleted` call lets go of them once its loop is over, or as soon as the
 * loop leaves (asCompleted 6).
 */
export function expectReleasedOnSettlement(observation: Observation): void {
  const problems: string[] = [];
  for (const [index, call] of observation.calls.entries()) {
    if (call.settlement !== undefined && call.timersAtSettlement > 0) {
      problems.push(`call #${index} settled with ${call.timersAtSettlement} timer(s) still armed`);
    }
    if (call.timersAtLeaving !== undefined && call.timersAtLeaving > 0) {
      problems.push(
        `call #${index} kept ${call.timersAtLeaving} timer(s) armed after its loop called return()`,
      );
    }
  }
  const linked = observation.calls.filter((call) => call.spec.usesCallerSignal);
  const { listeners } = observation.caller;
  const released = (call: CallRecord) => call.settlement !== undefined || call.loop?.left === true;
  if (linked.every(released) && listeners.now > 0) {
    problems.push(
      `${listeners.now} listener(s) left on the caller's signal after every call settled or was left`,
    );
  }
  if (listeners.max > 1) problems.push(`${listeners.max} listeners on the caller's signal at once`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** SPEC gather 8: with `waitForCleanup`, nothing the call started runs when it settles. */
export function expectNothingRunningAtSettlement(observation: Observation): void {
  for (const [index, call] of observation.calls.entries()) {
    if (call.spec.waitForCleanup && call.settlement !== undefined && call.runningAtSettlement > 0) {
      throw new Error(
        `call #${index} (${call.spec.api}, waitForCleanup) ${showSettlement(call.settlement)} ` +
          `while ${call.runningAtSettlement} task function(s) it started were still running`,
      );
    }
  }
}

/**
 * No task function starts once its call's signal is aborted or the call has settled
 * — for `asCompleted`, once its loop has called `return()` or is over.
 */
export function expectNoStartOnceEnded(observation: Observation): void {
  for (const [index, call] of observation.calls.entries()) {
    const late = call.starts.find(
      (start) => start.signalWasAborted || start.afterSettlement || start.afterLeaving,
    );
    if (late !== undefined) {
      const when = late.signalWasAborted
        ? 'with its signal already aborted'
        : late.afterLeaving
          ? 'after its loop had called return()'
          : 'after it had settled';
      throw new Error(
        `call #${index} (${call.spec.api}) started task function #${late.index} ${showMoment(late.at)} ${when}`,
      );
    }
  }
}

/** Concurrency limit 1–3: no call runs more than its `concurrency`, nor all more than the shared `p-limit`. */
export function expectBoundsKept(observation: Observation, sharedLimit: number): void {
  const problems: string[] = [];
  for (const [index, call] of observation.calls.entries()) {
    const { limit } = call.spec;
    if (limit.kind === 'concurrency' && call.maxRunning > limit.n) {
      problems.push(`call #${index} ran ${call.maxRunning} at once under concurrency ${limit.n}`);
    }
  }
  if (observation.sharedMaxRunning > sharedLimit) {
    problems.push(`${observation.sharedMaxRunning} ran at once under p-limit(${sharedLimit})`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * SPEC gather 4, 6, 7: when `gather` rejects, the signal it handed its task
 * functions is aborted — with an `"AbortError"` caused by the failure, or with the
 * very reason it rejects with (the caller's, or the deadline's `"TimeoutError"`).
 */
export function expectSignalAbortedOnRejection(observation: Observation): void {
  for (const [index, call] of observation.calls.entries()) {
    const [signal] = call.signals;
    if (call.settlement?.status !== 'rejected' || signal === undefined) continue;
    const { reason } = call.settlement;
    const abortReason: unknown = signal.reason;
    const causedBy =
      isNamedError(abortReason, 'AbortError') &&
      ownCause(abortReason).has &&
      Object.is(ownCause(abortReason).value, reason);
    // A caller's signal-like object aborted with `undefined`: no AbortSignal can carry it.
    const undefinedFromCaller =
      reason === undefined &&
      observation.caller.reason === undefined &&
      isNamedError(abortReason, 'AbortError');
    if (!signal.aborted || !(causedBy || undefinedFromCaller || Object.is(abortReason, reason))) {
      throw new Error(
        `call #${index} rejected with ${show(reason)}, but the signal of its task functions ` +
          (signal.aborted ? `was aborted with ${show(abortReason)}` : 'was not aborted'),
      );
    }
  }
}

/** The isolated task settled as the model says, and `onError` saw what the model says. */
export function expectIsolatedAsModelled(
  expected: ExpectedIsolated,
  observation: IsolateObservation,
): void {
  const reasons = new Reasons(undefined, undefined);
  const problems: string[] = [];
  const { settlement } = observation;
  const modelled = expected.settlement;
  if (modelled === undefined) {
    if (settlement !== undefined)
      problems.push(`settled (${showSettlement(settlement)}), but must not`);
  } else {
    const { slot } = modelled;
    const wanted = `${showSlot(slot, reasons)} ${showMoment(modelled.at)}`;
    const fits =
      settlement !== undefined &&
      settlement.at === modelled.at &&
      (slot.status === 'fulfilled'
        ? settlement.status === 'fulfilled' && Object.is(settlement.value, slot.value)
        : settlement.status === 'rejected' && reasons.matches(slot.reason, settlement.reason));
    if (!fits) {
      problems.push(
        `${settlement === undefined ? 'never settled' : showSettlement(settlement)}, but must be ${wanted}`,
      );
    }
  }
  const calls = observation.onErrorCalls;
  const wantedCalls = expected.onErrorCalls;
  if (
    calls.length !== wantedCalls.length ||
    wantedCalls.some((error, index) => !Object.is(error, calls[index]))
  ) {
    problems.push(
      `onError was called with [${calls.map(show)}], but must be with [${wantedCalls.map(show)}]`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

// ---- TaskGroup ----

/** The settlement is the slot's outcome. */
function settlementIs(slot: Slot, settlement: Settlement, reasons: Reasons): boolean {
  return slot.status === 'fulfilled'
    ? settlement.status === 'fulfilled' && Object.is(settlement.value, slot.value)
    : settlement.status === 'rejected' && reasons.matches(slot.reason, settlement.reason);
}

function showResult(result: CallResult, reasons: Reasons): string {
  if (result.status === 'rejected') return `rejected with ${reasons.describe(result.reason)}`;
  return `fulfilled with ${'value' in result ? show(result.value) : '(a collection)'}`;
}

/** What went wrong with one spawn, if anything (TaskGroup 1, 3, 5). */
function spawnProblem(
  wanted: ExpectedSpawn,
  record: SpawnRecord,
  reasons: Reasons,
): string | undefined {
  const madeAt = record.madeAt === undefined ? '' : ` ${showMoment(record.madeAt)}`;
  if (record.made > 1) return `was spawned ${record.made} times: its spawner ran more than once`;
  if (wanted.kind === 'never made') {
    return record.made === 0 ? undefined : `was spawned${madeAt}, but its spawner never gets there`;
  }
  if (record.made === 0) return `was never spawned; must be ${showMoment(wanted.at)}`;
  if (record.madeAt !== wanted.at) {
    return `was spawned${madeAt}, but must be ${showMoment(wanted.at)}`;
  }
  const threw = record.threw;
  if (wanted.kind === 'throws') {
    const error = threw?.error;
    if (error instanceof TypeError && /closed/i.test(error.message)) return undefined;
    return `: spawn ${threw === undefined ? 'returned a promise' : `threw ${show(error)}`}, but must throw a TypeError naming the closed group`;
  }
  if (threw !== undefined) return `: spawn threw ${show(threw.error)}, but must return a promise`;
  if (!record.returnedPromise) return ': spawn returned something that is not a promise';
  const { settlement } = wanted;
  const { settled } = record;
  if (settlement === undefined) {
    return settled === undefined
      ? undefined
      : `: its promise ${showSettlement(settled)}, but must stay pending`;
  }
  const { from, to, slot } = settlement;
  const window =
    from === to
      ? showMoment(from)
      : `${showMoment(from)} or later${to === undefined ? '' : `, by ${showMoment(to)}`}`;
  const wantedText = `${slot.status === 'fulfilled' ? `fulfil with ${show(slot.value)}` : `reject with ${reasons.describe(slot.reason)}`} ${window}`;
  if (settled === undefined) return `: its promise never settled, but must ${wantedText}`;
  const inTime =
    record.readLate ||
    (rank(settled.at) >= rank(from) && (to === undefined || rank(settled.at) <= rank(to)));
  if (settlementIs(slot, settled, reasons) && inTime) return undefined;
  const settledText = record.readLate
    ? `${settled.status} with ${show(settled.status === 'fulfilled' ? settled.value : settled.reason)} (read once the run was over)`
    : showSettlement(settled);
  return `: its promise ${settledText}, but must ${wantedText}`;
}

/** `join()` or the dispose settled as the model says (TaskGroup 2, 3, 4, 6). */
function endingProblems(
  name: string,
  wanted: ExpectedEnding | undefined,
  record: EndingRecord | undefined,
  reasons: Reasons,
): string[] {
  if (wanted === undefined || record === undefined) {
    return wanted === record ? [] : [`${name} was ${record === undefined ? 'not ' : ''}called`];
  }
  const { settled } = record;
  const modelled = wanted.settlement;
  if (modelled === undefined) {
    return settled === undefined
      ? []
      : [`${name} ${showSettlement(settled)}, but must never settle`];
  }
  const results = [modelled.result, ...(modelled.orElse === undefined ? [] : [modelled.orElse])];
  const fits = (result: CallResult) =>
    settled !== undefined &&
    (result.status === 'rejected'
      ? settled.status === 'rejected' && reasons.matches(result.reason, settled.reason)
      : settled.status === 'fulfilled' &&
        'value' in result &&
        Object.is(settled.value, result.value));
  if (settled !== undefined && settled.at === modelled.at && results.some(fits)) return [];
  const wantedText = `${results.map((result) => showResult(result, reasons)).join(' or ')} ${showMoment(modelled.at)}`;
  return [
    `${name}, called ${showMoment(record.calledAt)}, ${settled === undefined ? 'never settled' : showSettlement(settled)}, but must be ${wantedText}`,
  ];
}

type GroupAspect = 'starts' | 'spawns' | 'signal' | 'join' | 'dispose';

/** The group did what the model says, in the aspects named. */
export function expectGroupAsModelled(
  expected: ExpectedGroup,
  observation: GroupObservation,
  aspects: readonly GroupAspect[],
): void {
  const reasons = new Reasons(observation.caller.reason, observation.signal);
  const problems: string[] = [];
  if (aspects.includes('join')) {
    problems.push(...endingProblems('join()', expected.join, observation.join, reasons));
    if (!observation.joinSamePromise) problems.push('a second join() returned another promise');
  }
  if (aspects.includes('dispose')) {
    problems.push(
      ...endingProblems('[Symbol.asyncDispose]()', expected.dispose, observation.dispose, reasons),
    );
  }
  if (aspects.includes('starts')) {
    const describe = (start: { spawn: number; at: Moment; synchronous: boolean }) =>
      `#${start.spawn} ${showMoment(start.at)}${start.synchronous ? ' (in its spawn call)' : ''}`;
    const actual = observation.starts.map(describe).join(', ');
    const wanted = expected.starts.map(describe).join(', ');
    if (actual !== wanted) problems.push(`called [${actual}], but must call [${wanted}]`);
  }
  if (aspects.includes('spawns')) {
    expected.spawns.forEach((wanted, index) => {
      const record = observation.spawns[index];
      const problem =
        record === undefined ? 'has no record' : spawnProblem(wanted, record, reasons);
      if (problem !== undefined) problems.push(`spawn #${index} ${problem}`);
    });
  }
  if (aspects.includes('signal')) {
    const { signal, signalAbortedAt } = observation;
    const modelled = expected.signalAbort;
    if (!observation.signalAccessor)
      problems.push('group.signal is not an accessor without a setter');
    if (modelled === undefined) {
      if (signal.aborted) {
        problems.push(`group.signal was aborted with ${show(signal.reason)}, but must not be`);
      }
    } else if (
      !signal.aborted ||
      !reasons.matches(modelled.reason, signal.reason) ||
      signalAbortedAt !== modelled.at
    ) {
      const actual = signal.aborted
        ? `was aborted with ${show(signal.reason)} ${showMoment(signalAbortedAt ?? 'call')}`
        : 'was not aborted';
      problems.push(
        `group.signal ${actual}, but must be aborted with ${reasons.describe(modelled.reason)} ${showMoment(modelled.at)}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * Needs no model: every task function is handed `group.signal`, none is called once
 * that signal has aborted or the group has settled, and never more run at once than
 * the bound (TaskGroup 1, 5; Concurrency limit 1–3).
 */
export function expectGroupStartsKept(
  observation: GroupObservation,
  scenario: GroupScenario,
): void {
  const problems: string[] = [];
  for (const start of observation.starts) {
    const when = showMoment(start.at);
    if (!start.groupSignal) problems.push(`#${start.spawn} was not handed group.signal`);
    if (start.signalWasAborted) {
      problems.push(`#${start.spawn} was called ${when} with the group's signal already aborted`);
    }
    if (start.afterSettlement) {
      problems.push(`#${start.spawn} was called ${when}, after the group had settled`);
    }
  }
  const { limit } = scenario;
  const bound =
    limit.kind === 'concurrency'
      ? limit.n
      : limit.kind === 'shared'
        ? scenario.sharedLimit
        : Number.POSITIVE_INFINITY;
  if (observation.maxRunning > bound) {
    problems.push(`${observation.maxRunning} task functions ran at once under a bound of ${bound}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * Needs no model: `join()` and the dispose settle only once every task function the
 * group started has settled (TaskGroup 2, 6), with no timer left; once the group has
 * settled, no timer and no listener on the caller's signal is left, and the group
 * never put more than one listener on it (gather 6, 7).
 */
export function expectGroupReleased(observation: GroupObservation): void {
  const problems: string[] = [];
  const endings: [string, EndingRecord | undefined][] = [
    ['join()', observation.join],
    ['[Symbol.asyncDispose]()', observation.dispose],
  ];
  for (const [name, ending] of endings) {
    const settled = ending?.settled;
    if (ending === undefined || settled === undefined) continue;
    if (ending.runningAtSettlement > 0) {
      problems.push(
        `${name} ${showSettlement(settled)} while ${ending.runningAtSettlement} task function(s) were still running`,
      );
    }
    if (ending.timersAtSettlement > 0) {
      problems.push(
        `${name} ${showSettlement(settled)} with ${ending.timersAtSettlement} timer(s) armed`,
      );
    }
  }
  // Settled: seen through join() or the dispose, or aborted with nothing left running.
  const over =
    observation.join?.settled !== undefined ||
    observation.dispose?.settled !== undefined ||
    (observation.signal.aborted && observation.runningAtEnd === 0);
  if (over && observation.timersAtEnd > 0) {
    problems.push(`${observation.timersAtEnd} timer(s) still armed once the group had settled`);
  }
  const { listeners } = observation.caller;
  if (over && listeners.now > 0) {
    problems.push(
      `${listeners.now} listener(s) left on the caller's signal once the group had settled`,
    );
  }
  if (listeners.max > 1) problems.push(`${listeners.max} listeners on the caller's signal at once`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
