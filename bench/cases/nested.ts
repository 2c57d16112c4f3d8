/**
 * Many nested gathers linked to one parent signal must cost O(1) per link: each is
 * `gather([task], { signal: parentSignal })`, all pending at once, then resolved.
 * time(2k) ≤ 2.5 × time(k), with a full GC before every sample (young-generation
 * overflow would make linear code look super-linear).
 */
import { getEventListeners } from 'node:events';
import { type Config, type Contender, gather, measure } from '../harness';
import { formatN, type Row, row, side } from '../report';

/** A long-lived parent signal, reused by every sample: links must be released. */
const parent = new AbortController();
const options = { signal: parent.signal };

function listenersOnParent(): number {
  return getEventListeners(parent.signal, 'abort').length;
}

/**
 * `linked: false` is the control: the same gathers without the parent signal, so
 * what the link costs can be told apart from what the gathers cost (and the GC).
 */
function nestedContender(count: number, linked: boolean): Contender {
  const callOptions = linked ? options : undefined;
  let tasks: (() => Promise<number>)[] = [];
  let resolvers: ((value: number) => void)[] = [];
  return {
    name: `${linked ? 'p-gather' : 'no signal'} ×${formatN(count)}`,
    beforeEach: () => {
      tasks = new Array(count);
      resolvers = new Array(count);
      for (let k = 0; k < count; k++) {
        const pending = new Promise<number>((resolve) => {
          resolvers[k] = resolve;
        });
        tasks[k] = () => pending;
      }
    },
    sample: async () => {
      const calls: Promise<number[]>[] = new Array(count);
      for (let k = 0; k < count; k++)
        calls[k] = gather([tasks[k] as () => Promise<number>], callOptions);
      // All pending at once: p-gather puts one listener on the parent, however many link.
      if (listenersOnParent() !== (linked ? 1 : 0)) {
        throw new Error(`${listenersOnParent()} abort listeners on the parent signal, expected 1`);
      }
      for (let k = 0; k < count; k++) (resolvers[k] as (value: number) => void)(k);
      const results = await Promise.all(calls);
      if (results.length !== count || results[count - 1]?.[0] !== count - 1) {
        throw new Error('nested gathers: wrong result');
      }
      if (listenersOnParent() !== 0) throw new Error('a settled gather left a listener behind');
    },
  };
}

export async function nestedCases(config: Config): Promise<Row[]> {
  const small = config.size(5e3, 500);
  const large = small * 2;
  const [atSmall, atLarge, controlSmall, controlLarge] = await measure(
    [
      nestedContender(small, true),
      nestedContender(large, true),
      nestedContender(small, false),
      nestedContender(large, false),
    ],
    config.plan({ rounds: 3, time: 250, iterations: 15, warmupIterations: 3, gcEachSample: true }),
  );
  if (
    atSmall === undefined ||
    atLarge === undefined ||
    controlSmall === undefined ||
    controlLarge === undefined
  ) {
    throw new Error('contenders missing');
  }
  return [
    row({
      group: 'nested',
      case: 'nested gathers linked to one parent signal',
      n: `${formatN(large)} vs ${formatN(small)}`,
      unit: 'ms total',
      subject: side(atLarge, 1),
      baseline: side(atSmall, 1),
      target: { text: `≤ 2.5× (linear)`, maxRatio: 2.5 },
    }),
    row({
      group: 'nested',
      case: '  control: the same gathers, no signal',
      n: `${formatN(large)} vs ${formatN(small)}`,
      unit: 'ms total',
      subject: side(controlLarge, 1),
      baseline: side(controlSmall, 1),
    }),
  ];
}
