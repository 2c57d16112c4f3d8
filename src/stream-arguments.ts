import { describeValue } from './describe';
import { isCount, readOptions, type Settings } from './options';

/** Options of a stream, checked: `gather`'s, plus `mapIterable`'s order and buffer. */
export interface StreamSettings extends Settings {
  readonly completionOrder: boolean;
  readonly buffer: number;
}

/** A stream's arguments, checked: its settings, its source and how to read it, its mapper. */
export interface StreamArguments {
  readonly settings: StreamSettings;
  readonly source: object;
  /** The source's `Symbol.asyncIterator` or `Symbol.iterator` method, read once. */
  readonly iteratorMethod: (this: object) => unknown;
  readonly asyncIterator: boolean;
  readonly mapper: (item: unknown, signal: AbortSignal, index: number) => unknown;
}

/**
 * Checks a stream's arguments in the documented order: `gather`'s options, then
 * (for `mapIterable`) `order` and `buffer`, then `source`, then `mapper`. Throws
 * the first problem; nothing is pulled before every check has passed.
 */
export function readStreamArguments(
  source: unknown,
  mapper: unknown,
  options: unknown,
  iterable: boolean,
): StreamArguments {
  const gatherSettings = readOptions(options);
  let completionOrder = false;
  let buffer = Infinity;
  if (iterable) {
    const given = (options ?? {}) as { order?: unknown; buffer?: unknown };
    const order = given.order;
    if (order !== undefined && order !== 'input' && order !== 'completion') {
      throw new TypeError(
        `Expected \`order\` to be 'input' or 'completion', got ${describeValue(order)}`,
      );
    }
    completionOrder = order === 'completion';
    const bufferGiven = given.buffer;
    if (bufferGiven !== undefined && !isCount(bufferGiven)) {
      throw new RangeError(
        `Expected \`buffer\` to be an integer from 1 and up or \`Infinity\`, got ${describeValue(bufferGiven)}`,
      );
    }
    buffer = (bufferGiven as number | undefined) ?? gatherSettings.concurrency;
  }
  const settings: StreamSettings = { ...gatherSettings, completionOrder, buffer };
  // Not destructured from an array: that would go through Array.prototype[Symbol.iterator].
  const { iteratorMethod, asyncIterator } = readIteratorMethod(source);
  if (typeof mapper !== 'function') {
    throw new TypeError(`Expected \`mapper\` to be a function, got ${describeValue(mapper)}`);
  }
  return {
    settings,
    source: Object(source) as object,
    iteratorMethod,
    asyncIterator,
    mapper: mapper as StreamArguments['mapper'],
  };
}

/** The method that opens `source`, and whether it is async; anything not iterable throws. */
function readIteratorMethod(
  source: unknown,
): Pick<StreamArguments, 'iteratorMethod' | 'asyncIterator'> {
  if (
    source === null ||
    source === undefined ||
    (typeof source !== 'object' && typeof source !== 'function' && typeof source !== 'string')
  ) {
    throw new TypeError(
      `Expected \`source\` to be an iterable or an async iterable, got ${describeValue(source)}`,
    );
  }
  const asyncMethod: unknown = (source as { [Symbol.asyncIterator]?: unknown })[
    Symbol.asyncIterator
  ];
  if (asyncMethod !== undefined && asyncMethod !== null) {
    if (typeof asyncMethod !== 'function') {
      throw new TypeError(
        `Expected \`source\`'s Symbol.asyncIterator to be a function, got ${describeValue(asyncMethod)}`,
      );
    }
    return { iteratorMethod: asyncMethod as (this: object) => unknown, asyncIterator: true };
  }
  const syncMethod: unknown = (source as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof syncMethod !== 'function') {
    throw new TypeError(
      `Expected \`source\` to be an iterable or an async iterable, got ${describeValue(source)}`,
    );
  }
  return { iteratorMethod: syncMethod as (this: object) => unknown, asyncIterator: false };
}
