/**
 * SPEC gather 7: "Once the call has settled the timer is cleared: it never keeps a
 * process alive." Each case runs in a child process that awaits one call with
 * `timeout: 60_000` (or more) and then returns; the child must exit within
 * EXIT_BOUND_MS of printing `settled`. A control child that holds a bare timer
 * must *not* exit within that time, which shows the harness can see a live timer.
 *
 *   node test/leak/timers.mjs
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check, finish } from './support.mjs';

const EXIT_BOUND_MS = 1_000;
/** A child still running this long after it settled is killed (and fails, but for the control). */
const KILL_AFTER_MS = 1_500;
const child = fileURLToPath(new URL('./children/exit-after-settle.mjs', import.meta.url));

/** Runs one case; resolves with when it settled and how long it then took to exit. */
function runCase(name) {
  return new Promise((resolve) => {
    const spawnedAt = performance.now();
    let settledAt;
    let stdout = '';
    let stderr = '';
    let killed = false;
    let killer;
    const process_ = spawn(process.execPath, [child, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const hardStop = setTimeout(() => {
      killed = true;
      process_.kill('SIGKILL');
    }, 15_000);
    process_.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (settledAt === undefined && stdout.includes('settled ')) {
        settledAt = performance.now();
        killer = setTimeout(() => {
          killed = true;
          process_.kill('SIGKILL');
        }, KILL_AFTER_MS);
      }
    });
    process_.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    process_.on('exit', (code) => {
      const exitedAt = performance.now();
      clearTimeout(hardStop);
      clearTimeout(killer);
      resolve({
        name,
        code,
        killed,
        stdout: stdout.trim(),
        stderr: stderr.trim(),
        settledAfterMs: settledAt === undefined ? undefined : settledAt - spawnedAt,
        exitAfterSettleMs: settledAt === undefined ? undefined : exitedAt - settledAt,
      });
    });
  });
}

const names = JSON.parse(execFileSync(process.execPath, [child, '--list'], { encoding: 'utf8' }));
const results = await Promise.all(names.map(runCase));
for (const result of results) {
  const timing =
    result.exitAfterSettleMs === undefined
      ? `never settled (exit code ${result.code}) ${result.stderr}`
      : `settled ${Math.round(result.settledAfterMs)} ms after spawn, ` +
        (result.killed
          ? `still alive ${KILL_AFTER_MS} ms later (killed)`
          : `exited ${Math.round(result.exitAfterSettleMs)} ms later, code ${result.code}`);
  if (result.name.startsWith('control:')) {
    check(result.killed && result.exitAfterSettleMs !== undefined, result.name, timing);
  } else {
    check(
      !result.killed &&
        result.code === 0 &&
        result.exitAfterSettleMs !== undefined &&
        result.exitAfterSettleMs < EXIT_BOUND_MS,
      `exits at once after it settles: ${result.name}`,
      `${timing}${result.code === 0 ? '' : `; ${result.stdout} ${result.stderr}`}`,
    );
  }
}
finish('timers');
