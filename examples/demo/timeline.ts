/** Where a tracked task is: not called yet, running, or ended one of three ways. */
export type Outcome = 'not started' | 'running' | 'ok' | 'failed' | 'aborted';

/** One row of the picture: when a task ran, on its timeline's clock, and how it ended. */
export interface Span {
  readonly label: string;
  /**
   * Milliseconds from the timeline's start to the moment the task was handed over
   * (tracked): until its start it waits, under a concurrency bound for instance.
   */
  readonly queued: number;
  /** Milliseconds from the timeline's start to the task's call. */
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly outcome: Outcome;
  /** Why a failed or aborted task rejected. */
  readonly reason: unknown;
}

/** A vertical line through the picture: the moment the combinator settled. */
export interface Marker {
  readonly at: number;
  readonly label: string;
}

/** What to draw: the colours, a shared time scale, and the combinator's moment. */
export interface DrawOptions {
  readonly colour: boolean;
  /** Milliseconds the full width stands for (default: the last moment drawn). */
  readonly scale?: number;
  readonly marker?: Marker;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Columns the whole timeline's duration is drawn across. */
const WIDTH = 50;
const FILL = { ok: '█', failed: '▓', aborted: '░', running: '▒', waiting: '·' } as const;

/**
 * Records when tasks run and how they end, on one clock, and draws them as bars so a
 * reader *sees* what ran at once and what was cut short.
 *
 * @example
 * ```ts
 * const timeline = new Timeline();
 * await gather([timeline.track('user', (signal) => fetchUser(signal))]);
 * console.log(timeline.draw({ colour: false }));
 * ```
 */
export class Timeline {
  readonly #origin = performance.now();
  readonly #spans: Mutable<Span>[] = [];
  readonly #runs: Promise<unknown>[] = [];

  /** Milliseconds since the timeline was made: the clock of every span. */
  now(): number {
    return performance.now() - this.#origin;
  }

  /**
   * Wraps a task function so that its call and its end are recorded, leaving its value
   * or reason untouched. It ended `aborted` when it rejected with its signal's reason,
   * `failed` when it rejected with anything else. The time between this call and the
   * task's is drawn as waiting: track a task when it is handed to the combinator.
   */
  track<T>(
    label: string,
    task: (signal: AbortSignal) => Promise<T>,
  ): (signal: AbortSignal) => Promise<T> {
    const span: Mutable<Span> = {
      label,
      queued: this.now(),
      start: undefined,
      end: undefined,
      outcome: 'not started',
      reason: undefined,
    };
    this.#spans.push(span);
    return (signal) => {
      span.start = this.now();
      span.outcome = 'running';
      const run = task(signal).then(
        (value) => {
          span.end = this.now();
          span.outcome = 'ok';
          return value;
        },
        (reason: unknown) => {
          span.end = this.now();
          span.outcome = signal.aborted && reason === signal.reason ? 'aborted' : 'failed';
          span.reason = reason;
          throw reason;
        },
      );
      this.#runs.push(run);
      return run;
    };
  }

  /**
   * Waits until every tracked task that was called has ended — a combinator may
   * settle before the tasks it aborted have noticed — then returns the spans, in the
   * order they were tracked.
   */
  async settled(): Promise<readonly Span[]> {
    await Promise.allSettled(this.#runs);
    return this.#spans;
  }

  /** Draws one row per span: a bar from its start to its end, times and outcome. */
  draw(options: DrawOptions): string {
    const paint = palette(options.colour);
    const { marker } = options;
    const now = this.now();
    const ends = this.#spans.map((span) => span.end ?? now);
    const total = Math.max(1, options.scale ?? 0, marker?.at ?? 0, ...ends);
    const column = (ms: number) => Math.min(WIDTH - 1, Math.floor((ms / total) * WIDTH));
    // The marker sits on the cell where a bar ending at the same moment ends.
    const markerColumn =
      marker === undefined ? -1 : Math.max(0, Math.ceil((marker.at / total) * WIDTH) - 1);
    const blank = (from: number, to: number) =>
      markerColumn >= from && markerColumn < to
        ? `${' '.repeat(markerColumn - from)}${paint.dim('┊')}${' '.repeat(to - markerColumn - 1)}`
        : ' '.repeat(to - from);
    const labelWidth = Math.max(...this.#spans.map((span) => span.label.length));

    const rows = this.#spans.map((span) => {
      const label = span.label.padEnd(labelWidth);
      if (span.start === undefined) {
        return `${label} │${blank(0, WIDTH)}│ ${' '.repeat(18)}${paint.dim('not started')}`;
      }
      const end = span.end ?? now;
      const from = column(span.start);
      const to = Math.max(from + 1, Math.min(WIDTH, Math.ceil((end / total) * WIDTH)));
      const waitFrom = Math.min(from, column(span.queued));
      const wait = paint.dim(FILL.waiting.repeat(from - waitFrom));
      const fill = FILL[span.outcome === 'not started' ? 'running' : span.outcome];
      const bar = paint[span.outcome](fill.repeat(to - from));
      const times = `${ms(span.start)} → ${ms(end)} ms`;
      return `${label} │${blank(0, waitFrom)}${wait}${bar}${blank(to, WIDTH)}│ ${times}  ${describeOutcome(span, paint)}`;
    });
    const axis = `${' '.repeat(labelWidth)}  0 ms${`${ms(total)} ms`.padStart(WIDTH - 4)}`;
    const legend =
      marker === undefined
        ? []
        : [
            `${' '.repeat(labelWidth + markerColumn + 2)}${paint.dim(`┊ ${marker.label} at ${ms(marker.at).trim()} ms`)}`,
          ];
    return [...rows, paint.dim(axis), ...legend].join('\n');
  }
}

/** The key to the bars, printed once above the pictures. */
export function legend(colour: boolean): string {
  const paint = palette(colour);
  return `${paint.ok(`${FILL.ok} ok`)}   ${paint.failed(`${FILL.failed} failed`)}   ${paint.aborted(`${FILL.aborted} aborted`)}   ${paint.dim(`${FILL.waiting} waiting to start`)}   ${paint.dim('┊ the combinator settled')}`;
}

/** Colour functions, ANSI when `enabled`, identity otherwise — one place decides. */
export function palette(enabled: boolean) {
  const ansi = (code: number) => (text: string) =>
    enabled ? `\u001b[${code}m${text}\u001b[0m` : text;
  return {
    ok: ansi(32),
    failed: ansi(31),
    aborted: ansi(33),
    running: ansi(36),
    'not started': ansi(2),
    dim: ansi(2),
    bold: ansi(1),
  };
}

function describeOutcome(span: Span, paint: ReturnType<typeof palette>): string {
  const text =
    span.outcome === 'failed' || span.outcome === 'aborted'
      ? `${span.outcome}: ${reasonText(span.reason)}`
      : span.outcome;
  return paint[span.outcome](text);
}

/**
 * A one-line account of a rejection reason: an abort error by its name (its message
 * says nothing more), any other error by its message.
 */
export function reasonText(reason: unknown): string {
  if (!(reason instanceof Error)) return String(reason);
  const isAbort = reason.name === 'AbortError' || reason.name === 'TimeoutError';
  return isAbort || reason.message === '' ? reason.name : reason.message;
}

function ms(value: number): string {
  return Math.round(value).toString().padStart(4);
}
