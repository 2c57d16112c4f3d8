/**
 * Shared by the leak and soak scripts: a full GC, the heap after it, and checks that
 * print what they measured and remember every failure, so one run reports them all.
 */

const failures = [];

/** Records a failure (printed at once) when `ok` is false; prints a pass otherwise. */
export function check(ok, what, measured) {
  const line = `${ok ? 'ok  ' : 'FAIL'} ${what}${measured === undefined ? '' : ` — ${measured}`}`;
  if (ok) console.log(line);
  else {
    console.error(line);
    failures.push(what);
  }
}

/** Ends the script: exit code 1 when any check failed. Never forces an exit. */
export function finish(name) {
  if (failures.length > 0) {
    console.error(`${name}: ${failures.length} check(s) failed`);
    process.exitCode = 1;
  } else {
    console.log(`${name}: all checks passed`);
  }
}

export function fullGc() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('Run with node --expose-gc (npm run test:leak does)');
  }
  globalThis.gc();
}

/**
 * `heapUsed` after full collections, once it has stopped falling: weak references
 * and finalizers can free more on a second pass, so one GC is not enough.
 */
export async function heapAfterGc() {
  let previous = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 6; pass++) {
    // A macrotask between passes lets pending promise jobs and timers' cleanups run.
    await new Promise((resolve) => setImmediate(resolve));
    fullGc();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous - 1024) return Math.min(used, previous);
    previous = used;
  }
  return previous;
}

export function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function signedMb(bytes) {
  return `${bytes >= 0 ? '+' : '−'}${mb(Math.abs(bytes))}`;
}

/** Milliseconds since `start` (a `performance.now()` reading), for the report. */
export function since(start) {
  return `${Math.round(performance.now() - start)} ms`;
}

export function never() {
  return new Promise(() => {});
}
