/**
 * Scenario generators for the property tests: random task sets (plain values,
 * promises and thenables passed in, task functions that return or throw, that
 * settle later, that honour or ignore their signal, isolated ones) settling at
 * random virtual ticks, under random options, and for `asCompleted` the loop that
 * reads it; for `TaskGroup`, what is spawned, by whom and when, and when the group is
 * joined, disposed or aborted. See `model.ts` for the world they describe.
 */
import fc from 'fast-check';
import type {
  AbortArgument,
  Api,
  CallSpec,
  Consumer,
  Delay,
  FallbackSpec,
  GroupScenario,
  GroupStep,
  GroupTask,
  IsolatedTask,
  IsolateScenario,
  Isolation,
  Limit,
  Moment,
  OnAbort,
  OnErrorSpec,
  Outcome,
  Scenario,
  SpawnSpec,
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
  const failures = shape.failures !== false && shape.onlyContainedFailures !== true;
  const never = shape.neverSettling !== false;
  const failing = shape.mostlyFailing === true;
  return fc.oneof(
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
    ...taskFunctionKinds(shape),
  );
}

/** Task functions: returning or throwing, settling later (perhaps isolated), aborting the caller. */
function taskFunctionKinds(shape: ScenarioShape): fc.WeightedArbitrary<TaskSpec>[] {
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
  return kinds;
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
 * A loop that leaves in its own microtasks, or `first` awaiting a plain value,
 * would race with a shared `p-limit` starting wrappers in theirs (see `model.ts`):
 * with one in the scenario, loops leave after the tick and `first` gets no plain
 * values.
 */
function withoutRaces(s: Scenario): Scenario {
  if (!s.calls.some((c) => c.limit.kind === 'shared')) return s;
  const calls = s.calls.map((c): CallSpec => {
    if (c.api === 'first') {
      // first awaits a plain value in the microtasks where p-limit also calls its
      // wrappers (which may abort the caller's signal): which comes first is
      // p-limit's affair. A promise settling at tick 0 stands in for it.
      const tasks = c.tasks.map(
        (task): TaskSpec =>
          task.kind === 'value'
            ? { kind: 'promise', at: 0, outcome: { fulfils: true, value: task.value } }
            : task,
      );
      return { ...c, tasks };
    }
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

// ---- TaskGroup ----

/** What a group scenario may contain. Every field defaults to "anything". */
export interface GroupShape {
  readonly limits?: readonly Limit['kind'][];
  /** Task functions may fail (default true). */
  readonly failures?: boolean;
  /** The caller's signal may abort, deadlines may pass and `group.abort` be called (default true). */
  readonly interruptions?: boolean;
  /** Some task functions never settle (default true). */
  readonly neverSettling?: boolean;
  readonly maxSpawns?: number;
  /** The code that spawns may ignore the promise `spawn` returns (default true). */
  readonly ignoredPromises?: boolean;
}

/** The call phase, or an event at a tick. */
const moment: fc.Arbitrary<Moment> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('call' as const) },
  { weight: 3, arbitrary: tick },
);

/** When a step of the scenario's own code runs: `rank` orders the steps. */
const when = fc.record({ at: moment, rank: fc.nat(99) });

/** A spawn from outside: mostly in the call phase or early, so the group has work to do. */
const spawnWhen = fc.record({
  at: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Moment>('call') },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 }) },
  ),
  rank: fc.nat(99),
});

/** `group.abort(…)`: mostly at a tick, so that something runs before. */
const abortWhen = fc.oneof(
  { weight: 1, arbitrary: when },
  { weight: 3, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 8 }), rank: fc.nat(99) }) },
);

/**
 * `join()` and the dispose: at any moment, or mostly — as in real code — after the
 * last spawn made from outside, at its moment (`after: 0`) or a few ticks later.
 */
const lateWhen = fc.oneof(
  { weight: 1, arbitrary: when.map((free) => ({ free, after: 0 })) },
  {
    weight: 3,
    arbitrary: fc.record({ free: fc.constant(undefined), after: fc.nat(3) }),
  },
);

/** A group's bound: mostly a tight one, so that spawns queue. */
function groupLimit(kinds: readonly Limit['kind'][]): fc.Arbitrary<Limit> {
  const choices: fc.WeightedArbitrary<Limit>[] = [];
  if (kinds.includes('none')) choices.push({ weight: 1, arbitrary: fc.constant({ kind: 'none' }) });
  if (kinds.includes('concurrency')) {
    const n = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 2 }) },
      { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) },
    );
    choices.push({ weight: 2, arbitrary: n.map((n): Limit => ({ kind: 'concurrency', n })) });
  }
  if (kinds.includes('shared')) {
    choices.push({ weight: 2, arbitrary: fc.constant<Limit>({ kind: 'shared' }) });
  }
  return fc.oneof(...choices);
}

/** The moment of a {@link lateWhen}, given the outside spawns' moments. */
function placed(
  late: { free: { at: Moment; rank: number } | undefined; after: number },
  spawnMoments: readonly Moment[],
  rank: number,
): { at: Moment; rank: number } {
  if (late.free !== undefined) return late.free;
  const ticks = spawnMoments.filter((at): at is number => at !== 'call');
  const last = ticks.length > 0 ? Math.max(...ticks) : 'call';
  if (late.after === 0) return { at: last, rank: 100 + rank };
  return { at: (last === 'call' ? -1 : last) + late.after, rank };
}

const abortArgument: fc.Arbitrary<AbortArgument> = fc.oneof(
  fc.constant<AbortArgument>({ given: false }),
  fc.constant<AbortArgument>({ given: true, value: undefined }),
  { weight: 3, arbitrary: failure.map((value): AbortArgument => ({ given: true, value })) },
);

/**
 * A group at tick 0: its options, what it is spawned (from outside, or from inside
 * its task functions), when `join()`, the dispose and `group.abort` are called, and
 * the caller's signal.
 */
export function groupScenario(shape: GroupShape = {}): fc.Arbitrary<GroupScenario> {
  const interruptions = shape.interruptions !== false;
  const taskShape: ScenarioShape = {
    failures: shape.failures ?? true,
    interruptions,
    neverSettling: shape.neverSettling ?? true,
  };
  const groupTask = fc.oneof(...taskFunctionKinds(taskShape)) as fc.Arbitrary<GroupTask>;
  const rawSpawn = fc.record({
    task: groupTask,
    inside: fc.option(
      fc.record({
        parent: fc.nat(),
        when: fc.constantFrom('as it starts' as const, 'at its event' as const),
      }),
      { nil: undefined, freq: 2 },
    ),
    ignored:
      shape.ignoredPromises === false
        ? fc.constant(false)
        : fc.boolean().chain((maybe) => (maybe ? fc.boolean() : fc.constant(false))),
    when: spawnWhen,
  });
  const ending = fc.oneof(
    { weight: 3, arbitrary: fc.constant('join' as const) },
    { weight: 2, arbitrary: fc.constant('dispose' as const) },
    { weight: 2, arbitrary: fc.constant('both' as const) },
    { weight: 1, arbitrary: fc.constant('neither' as const) },
  );
  return fc
    .record({
      raw: fc.array(rawSpawn, { maxLength: shape.maxSpawns ?? 6 }),
      ending,
      join: lateWhen,
      dispose: lateWhen,
      abort: interruptions
        ? fc.option(fc.record({ when: abortWhen, reason: abortArgument }), {
            nil: undefined,
            freq: 3,
          })
        : fc.constant(undefined),
      usesCallerSignal: interruptions ? fc.boolean() : fc.constant(false),
      timeout: interruptions
        ? fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom(undefined, Number.POSITIVE_INFINITY) },
            { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }) },
          )
        : fc.constantFrom(undefined, Number.POSITIVE_INFINITY),
      limit: groupLimit(shape.limits ?? ['none', 'concurrency', 'shared']),
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
      sharedLimit: fc.integer({ min: 1, max: 2 }),
    })
    .map(({ raw, ending, join, dispose, abort, ...rest }): GroupScenario => {
      const ranked: { rank: number; step: GroupStep }[] = [];
      const spawns = raw.map((r, index): SpawnSpec => {
        if (r.inside === undefined || index === 0) {
          ranked.push({ rank: r.when.rank, step: { kind: 'spawn', at: r.when.at, spawn: index } });
          return { task: r.task, by: { kind: 'outside' }, ignored: r.ignored };
        }
        const parent = r.inside.parent % index;
        return {
          task: r.task,
          by: { kind: 'inside', parent, when: r.inside.when },
          ignored: r.ignored,
        };
      });
      const spawnMoments = ranked.map(({ step }) => step.at);
      if (ending === 'join' || ending === 'both') {
        const { at, rank } = placed(join, spawnMoments, 0);
        ranked.push({ rank, step: { kind: 'join', at } });
      }
      if (ending === 'dispose' || ending === 'both') {
        const { at, rank } = placed(dispose, spawnMoments, 1);
        ranked.push({ rank, step: { kind: 'dispose', at } });
      }
      if (abort !== undefined) {
        const { at, rank } = abort.when;
        ranked.push({ rank, step: { kind: 'abort', at, reason: abort.reason } });
      }
      ranked.sort((a, b) => a.rank - b.rank);
      const made: GroupScenario = { ...rest, spawns, steps: ranked.map(({ step }) => step) };
      return withoutGroupRaces(withoutOpenNesting(made));
    });
}

/**
 * Under a concurrency window, a chain of three spawned as they start (T spawns S,
 * which spawns G) can free a slot while a task waits and T is still on the stack: S
 * settles as it returns, with G queued. Concurrency limit 1 has the next one start
 * "in the same synchronous turn … by a loop", which fixes neither whether G starts
 * before T's own code goes on nor after T returns, and what T does next (throw,
 * abort the caller) decides whether G is ever called. So under a window, a task
 * spawned as it starts by one itself spawned as it starts is spawned at its
 * parent's event instead.
 */
function withoutOpenNesting(s: GroupScenario): GroupScenario {
  if (s.limit.kind !== 'concurrency' || !Number.isFinite(s.limit.n)) return s;
  const asStarting = (spec: SpawnSpec | undefined) =>
    spec?.by.kind === 'inside' && spec.by.when === 'as it starts';
  const spawns = s.spawns.map((spec): SpawnSpec => {
    const { by } = spec;
    if (by.kind !== 'inside' || by.when !== 'as it starts' || !asStarting(s.spawns[by.parent])) {
      return spec;
    }
    return { ...spec, by: { ...by, when: 'at its event' } };
  });
  return { ...s, spawns };
}

/**
 * A task function that spawns at its own event and fails there races, under a shared
 * `p-limit`, with the limiter: p-limit calls the child's wrapper in a microtask, and
 * the group sees the parent's failure in another, in an order the SPEC does not fix
 * (see `model.ts`). With a shared limit, such a parent fulfils at its event instead.
 */
function withoutGroupRaces(s: GroupScenario): GroupScenario {
  if (s.limit.kind !== 'shared') return s;
  const spawnsAtEvent = new Set(
    s.spawns.flatMap((spec) =>
      spec.by.kind === 'inside' && spec.by.when === 'at its event' ? [spec.by.parent] : [],
    ),
  );
  const spawns = s.spawns.map((spec, index): SpawnSpec => {
    const { task } = spec;
    if (!spawnsAtEvent.has(index) || task.kind !== 'async' || task.outcome.fulfils) return spec;
    return { ...spec, task: { ...task, outcome: { fulfils: true, value: task.outcome.reason } } };
  });
  return { ...s, spawns };
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
