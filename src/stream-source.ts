import { arrayIteratorNext, arrayValues } from './collection';
import { absorbRejection, nativeThen, promiseFor } from './promises';

type NextMethod = (this: object) => unknown;

/**
 * A stream's source, read with the async iteration protocol: opened once, one
 * `next()` at a time — never two at once — and closed once (`return()`, as
 * `for await` does on `break`), never after it threw or was done. A sync source
 * is read synchronously, in the pump's loop; an async one's `next()` pumps again
 * when it answers.
 *
 * The intake ({@link StreamIntake}) builds on it: it decides *when* to pull.
 */
export abstract class StreamSource {
  #iterator: object | undefined;
  #next: NextMethod | undefined;
  #async = false;
  /**
   * Invariant: the source is an array opened by the untouched Array iterator: it is
   * read by index from `#index` — its `length`, then the item, at each pull, as that
   * iterator does — without a step object per item.
   */
  #array: readonly unknown[] | undefined;
  #index = 0;
  /** Invariant: a `next()` of an async source is in flight. */
  #pulling = false;
  /** Invariant: the source may still be pulled or closed: false once done, failed or closed. */
  #open = true;
  /** Invariant: the source said it is done; nothing more will be pulled. */
  protected sourceDone = false;

  /** An item is pulled, from a sync source or not. */
  protected abstract accept(value: unknown, sync: boolean): void;
  /** How many items an array source holds when its first item is pulled (it may change). */
  protected abstract expect(count: number): void;
  /** The source failed (`next()` threw, rejected or gave a non-object): the stream fails with it. */
  abstract crash(error: unknown): void;
  abstract pump(): void;

  /** Opens the source: its iterator, checked to be an object with a `next()` method. */
  protected open(source: object, method: (this: object) => unknown, asyncIterator: boolean): void {
    const iterator: unknown = method.call(source);
    if (typeof iterator !== 'object' || iterator === null) {
      throw new TypeError('Expected the iterator of `source` to be an object');
    }
    const next: unknown = (iterator as { next?: unknown }).next;
    if (typeof next !== 'function') {
      throw new TypeError('Expected the iterator of `source` to have a next() method');
    }
    this.#iterator = iterator;
    this.#next = next as NextMethod;
    this.#async = asyncIterator;
    if (method === arrayValues && next === arrayIteratorNext && Array.isArray(source)) {
      this.#array = source;
    }
  }

  /**
   * Pulls one item, if the source may be read now. Returns whether the pull was
   * answered at once, so the caller may pull again: false when the source is done,
   * failed or closed, and while an async `next()` is in flight.
   */
  protected pull(): boolean {
    if (!this.#open || this.#pulling) return false;
    const array = this.#array;
    if (array !== undefined) {
      const index = this.#index;
      let value: unknown;
      try {
        // The iterator's test, `index < ToLength(length)`: `- 1` converts `length` as
        // ToNumber does (only a Proxy's can be anything but an array index), and for an
        // integer index, `index <= last` is that test — NaN and negatives included.
        const last = array.length - 1;
        if (index === 0) this.expect(last + 1);
        if (!(index <= last)) return this.#done();
        value = array[index];
      } catch (error) {
        this.#failed(error);
        return false;
      }
      this.#index = index + 1;
      this.accept(value, true);
      return true;
    }
    const pulling = this.#async;
    this.#pulling = pulling;
    let step: unknown;
    try {
      step = (this.#next as NextMethod).call(this.#iterator as object);
      const promise = pulling ? promiseFor(step) : undefined;
      if (promise !== undefined) {
        nativeThen.call(promise, this.#answered, this.#rejected);
        return false;
      }
    } catch (error) {
      this.#pulling = false;
      this.#failed(error);
      return false;
    }
    this.#pulling = false;
    return this.#step(step);
  }

  /** An async `next()` answered. A step that arrives after the stream ended is dropped (the source was closed). */
  readonly #answered = (step: unknown): void => {
    this.#pulling = false;
    if (!this.#open) return;
    this.#step(step);
    this.pump();
  };

  readonly #rejected = (error: unknown): void => {
    this.#pulling = false;
    if (this.#open) this.#failed(error);
  };

  /** A step that is not an object, or whose `done` or `value` throws, is the source failing, as in `for await`. */
  #step(step: unknown): boolean {
    let value: unknown;
    try {
      if (typeof step !== 'object' || step === null) {
        throw new TypeError('Expected the iterator of `source` to return objects');
      }
      if ((step as IteratorResult<unknown>).done) return this.#done();
      value = (step as IteratorResult<unknown>).value;
    } catch (error) {
      this.#failed(error);
      return false;
    }
    this.accept(value, !this.#async);
    return true;
  }

  #done(): false {
    this.#open = false;
    this.sourceDone = true;
    return false;
  }

  #failed(error: unknown): void {
    this.#open = false;
    this.crash(error);
  }

  /**
   * Closes the source, unless it is done, failed or closed: calls its iterator's
   * `return()`, at once, even with a `next()` in flight. Returns the promise
   * `return()` gave, to wait for with `waitForCleanup`; what it throws or rejects
   * with is absorbed — the stream has its own outcome.
   */
  protected close(): Promise<unknown> | undefined {
    if (!this.#open) return undefined;
    this.#open = false;
    const iterator = this.#iterator as { return?: unknown } | undefined;
    if (iterator === undefined) return undefined;
    let closed: unknown;
    try {
      const close = iterator.return;
      if (typeof close !== 'function') return undefined;
      closed = close.call(iterator);
    } catch {
      return undefined;
    }
    let promise: Promise<unknown> | undefined;
    try {
      promise = promiseFor(closed);
    } catch {
      return undefined;
    }
    if (promise !== undefined) absorbRejection(promise);
    return promise;
  }
}
