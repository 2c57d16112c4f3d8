/**
 * Compares what the library did (`harness.ts`) with what the model says
 * (`model.ts`), and states the properties that need no model. Each check throws one
 * error listing every difference, so fast-check reports (and shrinks) the scenario.
 */
import { inspect } from 'node:util';
import {
  type CallRecord,
  type IsolateObservation,
  keyOf,
  type Observation,
  type Settlement,
} from './harness';
import type { CallSpec, ExpectedCall, ExpectedIsolated, Moment, Reason, Slot } from './model';

export const show = (value: unknown): string => inspect(value, { depth: 3, breakLength: 160 });

const showMoment = (moment: Moment): string =>
  moment === 'call' ? 'in the call phase' : `at tick ${moment}`;

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
  private timeoutError: DOMException | undefined = undefined;

  constructor(callerReason: unknown, signal: AbortSignal | undefined) {
    this.callerReason = callerReason;
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

type Aspect = 'settlement' | 'starts' | 'signal' | 'thenables';

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
 */
export function expectReleasedOnSettlement(observation: Observation): void {
  const problems: string[] = [];
  for (const [index, call] of observation.calls.entries()) {
    if (call.settlement !== undefined && call.timersAtSettlement > 0) {
      problems.push(`call #${index} settled with ${call.timersAtSettlement} timer(s) still armed`);
    }
  }
  const linked = observation.calls.filter((call) => call.spec.usesCallerSignal);
  const { listeners } = observation.caller;
  if (linked.every((call) => call.settlement !== undefined) && listeners.now > 0) {
    problems.push(
      `${listeners.now} listener(s) left on the caller's signal after every call settled`,
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

/** No task function starts once its call's signal is aborted or the call has settled. */
export function expectNoStartOnceEnded(observation: Observation): void {
  for (const [index, call] of observation.calls.entries()) {
    const late = call.starts.find((start) => start.signalWasAborted || start.afterSettlement);
    if (late !== undefined) {
      throw new Error(
        `call #${index} (${call.spec.api}) started task function #${late.index} ${showMoment(late.at)} ` +
          (late.signalWasAborted ? 'with its signal already aborted' : 'after it had settled'),
      );
    }
  }
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
