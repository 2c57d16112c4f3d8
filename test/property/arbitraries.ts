/**
 * Scenario generators for the property tests: random task sets (plain values,
 * promises and thenables passed in, task functions that return or throw, that
 * settle later, that honour or ignore their signal, isolated ones) settling at
 * random virtual ticks, under random options, and for `asCompleted` the loop that
 * reads it. See `model.ts` for the world they describe.
 */
import fc from 'fast-check';
import type {
  Api,
  CallSpec,
  Consumer,
  Delay,
  FallbackSpec,
  IsolatedTask,
  IsolateScenario,
  Isolation,
  Limit,
  OnAbort,
  OnErrorSpec,
  Outcome,
  Scenario,
  TaskSpec,
} from './model';

/** What a scenario may contain. Every field defaults to "anything". */
export interface ScenarioShape {
  readonly apis?: readonly Api[];
  /** Calls made at tick 0, one after another (default 1). */
  readonly maxCalls?: number;
  readonly maxTasks?: number;
  readonly limits?: readonly Limit['kind'][];
  /** Tasks may fail (default true). */
  readonly failures?: boolean;
  /**
   * Every failure of a task function is contained by `isolate` with an `onError`
   * that does not throw; nothing else fails.
   */
  readonly onlyContainedFailures?: boolean;
  /** The caller's signal may abort and deadlines may pass (default true). */
  readonly interruptions?: boolean;
  /** Some tasks never settle (default true). */
  readonly neverSettling?: boolean;
  /** Forces `waitForCleanup` (default random). */
  readonly waitForCleanup?: boolean;
  /**
   * Tasks fail two times in three, and plain values (which never fail) are rarer —
   * for `first`, where one fulfilment ends everything (default: one in four fails).
   */
  readonly mostlyFailing?: boolean;
  /** asCompleted loops may leave early (default true). */
  readonly leaving?: boolean;
}

export const tick = fc.integer({ min: 0, max: 6 });

/** A value a task fulfils with: mostly a distinct object, so identity can be checked. */
export const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.nat(99).map((n) => ({ value: n })) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, '', false) },
);

/** A failure reason: mostly a distinct `Error`, sometimes a value that is not. */
export const failure: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.nat(99).map((n) => new Error(`failure ${n}`)) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, 'boom') },
);

/** A fallback: a value, or a function (which `isolate` returns, never calls). */
const fallbackValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: value },
  {
    weight: 1,
    arbitrary: fc.nat(99).map((n) => Object.assign(() => `fallback function ${n}`, { n })),
  },
);

function outcome(failures: boolean, mostlyFailing = false): fc.Arbitrary<Outcome> {
  const fulfils = value.map((v): Outcome => ({ fulfils: true, value: v }));
  if (!failures) return fulfils;
  return fc.oneof(
    { weight: mostlyFailing ? 1 : 3, arbitrary: fulfils },
    {
      weight: mostlyFailing ? 2 : 1,
      arbitrary: failure.map((reason): Outcome => ({ fulfils: false, reason })),
    },
  );
}

function delay(neverSettling: boolean): fc.Arbitrary<Delay> {
  if (!neverSettling) return tick;
  return fc.oneof(
    { weight: 12, arbitrary: tick },
    { weight: 1, arbitrary: fc.constant('never' as const) },
  );
}

const reaction = fc.oneof(fc.constant('at once' as const), tick);

const onAbort: fc.Arbitrary<OnAbort> = fc.oneof(
  fc.constant<OnAbort>({ kind: 'ignores' }),
  reaction.map((after): OnAbort => ({ kind: 'rejects', after })),
  fc.record({ kind: fc.constant('fulfils' as const), after: reaction, value }),
);

function isolation(containedOnly: boolean): fc.Arbitrary<Isolation> {
  return fc.record({
    onError: containedOnly
      ? fc.constantFrom('absent' as const, 'returns' as const)
      : fc.constantFrom(
          'absent' as const,
          'returns' as const,
          'throws' as const,
          'rejects' as const,
        ),
    fallback: fallbackValue,
    failure,
  });
}

function task(shape: ScenarioShape): fc.Arbitrary<TaskSpec> {
  const contained = shape.onlyContainedFailures === true;
  const failures = shape.failures !== false && !contained;
  const interruptions = shape.interruptions !== false;
  const never = shape.neverSettling !== false;
  const failing = shape.mostlyFailing === true;
  const asyncTask = fc
    .record({
      kind: fc.constant('async' as const),
      after: delay(never),
      outcome: outcome(failures || contained, failing),
      returns: fc.constantFrom('promise' as const, 'thenable' as const),
      onAbort,
      isolate: fc.option(isolation(contained), { nil: undefined, freq: 3 }),
    })
    .chain((spec) =>
      // A failure that must be contained is always isolated.
      contained && !spec.outcome.fulfils && spec.isolate === undefined
        ? isolation(true).map((isolate): TaskSpec => ({ ...spec, isolate }))
        : fc.constant<TaskSpec>(spec),
    );
  const kinds: fc.WeightedArbitrary<TaskSpec>[] = [
    {
      weight: failing ? 1 : 2,
      arbitrary: value.map((v): TaskSpec => ({ kind: 'value', value: v })),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constantFrom('promise' as const, 'thenable' as const),
        at: delay(never),
        outcome: outcome(failures, failing),
      }),
    },
    {
      weight: 3,
      arbitrary: outcome(failures, failing).map((o): TaskSpec => ({ kind: 'sync', outcome: o })),
    },
    { weight: 6, arbitrary: asyncTask },
  ];
  if (interruptions) {
    kinds.push({
      weight: 1,
      arbitrary: value.map((v): TaskSpec => ({ kind: 'abortsCaller', value: v })),
    });
  }
  return fc.oneof(...kinds);
}

function limit(kinds: readonly Limit['kind'][]): fc.Arbitrary<Limit> {
  const choices: fc.Arbitrary<Limit>[] = [];
  if (kinds.includes('none')) choices.push(fc.constant<Limit>({ kind: 'none' }));
  if (kinds.includes('concurrency')) {
    choices.push(
      fc
        .oneof(
          { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
          { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) },
        )
        .map((n): Limit => ({ kind: 'concurrency', n })),
    );
  }
  if (kinds.includes('shared')) choices.push(fc.constant<Limit>({ kind: 'shared' }));
  return fc.oneof(...choices);
}

/** The loop over an `asCompleted` iterator: mostly reading at once, one at a time. */
function consumer(leaving: boolean): fc.Arbitrary<Consumer> {
  return fc.record({
    startsAt: fc.oneof(
      { weight: 3, arbitrary: fc.constant('call' as const) },
      { weight: 1, arbitrary: tick },
    ),
    batch: fc.oneof(
      { weight: 3, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) },
    ),
    leaves: leaving
      ? fc.option(
          fc.record({
            after: fc.nat(4),
            when: fc.constantFrom('in the loop' as const, 'after the tick' as const),
          }),
          { nil: undefined, freq: 2 },
        )
      : fc.constant(undefined),
  });
}

function call(shape: ScenarioShape): fc.Arbitrary<CallSpec> {
  const interruptions = shape.interruptions !== false;
  const apis = shape.apis ?? (['gather', 'gatherSettled'] as const);
  return fc.record({
    api: fc.constantFrom(...apis),
    tasks: fc.array(task(shape), { maxLength: shape.maxTasks ?? 6 }),
    input: fc.oneof(
      { weight: 4, arbitrary: fc.constant('array' as const) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('generator' as const, 'object' as const, 'map' as const),
      },
    ),
    usesCallerSignal: interruptions ? fc.boolean() : fc.constant(false),
    timeout: interruptions
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(undefined, Number.POSITIVE_INFINITY) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }) },
        )
      : fc.constantFrom(undefined, Number.POSITIVE_INFINITY),
    waitForCleanup:
      shape.waitForCleanup === undefined ? fc.boolean() : fc.constant(shape.waitForCleanup),
    limit: limit(shape.limits ?? ['none', 'concurrency', 'shared']),
    consumer: apis.includes('asCompleted')
      ? consumer(shape.leaving !== false)
      : fc.constant(undefined),
  });
}

/**
 * A loop that leaves in its own microtasks would race with a shared `p-limit`
 * starting wrappers in theirs (see `model.ts`): with one in the scenario, loops
 * leave after the tick.
 */
function withoutRaces(s: Scenario): Scenario {
  if (!s.calls.some((c) => c.limit.kind === 'shared')) return s;
  const calls = s.calls.map((c): CallSpec => {
    const leaves = c.consumer?.leaves;
    if (c.consumer === undefined || leaves?.when !== 'in the loop') return c;
    return { ...c, consumer: { ...c.consumer, leaves: { ...leaves, when: 'after the tick' } } };
  });
  return { ...s, calls };
}

/** A scenario: one or more calls at tick 0, a caller's signal, a shared `p-limit`. */
export function scenario(shape: ScenarioShape = {}): fc.Arbitrary<Scenario> {
  const interruptions = shape.interruptions !== false;
  return fc
    .record({
      calls: fc.array(call(shape), { minLength: 1, maxLength: shape.maxCalls ?? 1 }),
      caller: fc.record({
        flavour: fc.constantFrom('AbortController' as const, 'signal-like' as const),
        abortAt: interruptions
          ? fc.oneof(
              { weight: 2, arbitrary: fc.constant('never' as const) },
              { weight: 1, arbitrary: fc.constant('before' as const) },
              { weight: 3, arbitrary: fc.integer({ min: 0, max: 8 }) },
            )
          : fc.constant('never' as const),
        reason: failure,
      }),
      sharedLimit: fc.integer({ min: 1, max: 3 }),
    })
    .map(withoutRaces);
}

// ---- isolate on its own ----

const isolatedTask: fc.Arbitrary<IsolatedTask> = fc.oneof(
  value.map((v): IsolatedTask => ({ kind: 'value', value: v })),
  fc.record({
    kind: fc.constantFrom('promise' as const, 'thenable' as const),
    at: tick,
    outcome: outcome(true),
  }),
  outcome(true).map((o): IsolatedTask => ({ kind: 'sync', outcome: o })),
  fc.record({ kind: fc.constant('async' as const), after: tick, outcome: outcome(true) }),
);

const onError: fc.Arbitrary<OnErrorSpec> = fc.oneof(
  fc.constant<OnErrorSpec>({ kind: 'absent' }),
  reaction.map((after): OnErrorSpec => ({ kind: 'returns', after })),
  failure.map((f): OnErrorSpec => ({ kind: 'throws', failure: f })),
  fc.record({ kind: fc.constant('rejects' as const), failure, after: reaction }),
);

const fallback: fc.Arbitrary<FallbackSpec> = fc.oneof(
  { weight: 3, arbitrary: fallbackValue.map((v): FallbackSpec => ({ kind: 'value', value: v })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('promise' as const, 'thenable' as const),
      at: tick,
      outcome: outcome(true),
    }),
  },
);

export const isolateScenario: fc.Arbitrary<IsolateScenario> = fc.record({
  task: isolatedTask,
  onError,
  fallback,
  signal: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({
      kind: fc.constant('given' as const),
      abortAt: fc.oneof(
        fc.constant('before' as const),
        fc.constant('never' as const),
        fc.integer({ min: 0, max: 8 }),
      ),
    }),
  ),
  callAt: fc.oneof(
    { weight: 8, arbitrary: tick },
    { weight: 1, arbitrary: fc.constant('never' as const) },
  ),
});
