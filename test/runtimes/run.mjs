/**
 * SPEC › Platforms: the same build runs in Node, Bun and Deno. Runs the smoke
 * scripts against dist/ — the ESM build under Node, Bun and Deno, the CommonJS
 * build (`require`) under Node, Bun and Deno — then prints a summary. Exit code 1
 * when any run failed.
 *
 *   npm run build && node test/runtimes/run.mjs
 *
 * Offline by construction: the scripts import only relative files (checked with
 * `deno info`, whose module graph must hold only file: URLs), Deno runs with
 * `--no-remote --no-npm --no-config --no-lock` and read access to the repository
 * only, Bun with `--no-install`. Where `unshare -n` works (root on Linux), Bun and
 * Deno also run in a network namespace of their own, with no network at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const esm = join(here, 'smoke.mjs');
const cjs = join(here, 'smoke.cjs');

if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'index.cjs'))) {
  console.error('dist/ is incomplete: run `npm run build` first');
  process.exit(1);
}

const offline = process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0;
/** Runs `command` without network access where the platform allows it. */
const withoutNetwork = (command, args) =>
  offline ? ['unshare', ['-n', command, ...args]] : [command, args];

const denoDir = mkdtempSync(join(tmpdir(), 'p-gather-deno-'));
const denoEnv = { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
const denoFlags = ['--no-remote', '--no-npm', '--no-config', '--no-lock'];

const runs = [
  { name: 'node, ESM', command: [process.execPath, [esm]] },
  { name: 'node, CommonJS require', command: [process.execPath, [cjs]] },
  { name: 'bun, ESM', command: withoutNetwork(bin('bun'), ['--no-install', esm]) },
  { name: 'bun, CommonJS require', command: withoutNetwork(bin('bun'), ['--no-install', cjs]) },
  {
    name: 'deno, ESM',
    command: withoutNetwork(bin('deno'), [
      'run',
      ...denoFlags,
      '--no-prompt',
      `--allow-read=${root}`,
      esm,
    ]),
    env: denoEnv,
  },
  {
    name: 'deno, CommonJS require',
    command: withoutNetwork(bin('deno'), [
      'run',
      ...denoFlags,
      '--no-prompt',
      `--allow-read=${root}`,
      cjs,
    ]),
    env: denoEnv,
  },
];

const summary = [];

// The smoke scripts' module graph, as Deno sees it: local files only.
{
  const start = performance.now();
  const info = spawnSync(bin('deno'), ['info', '--json', ...denoFlags, esm], {
    env: denoEnv,
    encoding: 'utf8',
  });
  let detail;
  let passed = false;
  if (info.status !== 0) detail = `deno info failed: ${info.stderr.trim()}`;
  else {
    const specifiers = JSON.parse(info.stdout).modules.map((module) => module.specifier);
    const remote = specifiers.filter((specifier) => !specifier.startsWith('file:'));
    passed = remote.length === 0 && specifiers.length === 3;
    detail = `${specifiers.length} modules, ${remote.length} not local${remote.length > 0 ? `: ${remote.join(', ')}` : ''}`;
  }
  summary.push({
    name: 'deno info: graph is local',
    passed,
    ms: performance.now() - start,
    detail,
  });
}

for (const { name, command, env } of runs) {
  const [file, args] = command;
  console.log(`\n== ${name}: ${[file, ...args].map((part) => part.replace(root, '')).join(' ')}`);
  const start = performance.now();
  const result = spawnSync(file, args, {
    cwd: root,
    env: env ?? process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = performance.now() - start;
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  // Deno reports a fetch as "Download …"; any such line means it went to the network.
  const fetched = /\bDownload\b/.test(result.stderr ?? '');
  // A runtime that prints Node's listener warning, by whatever means, fails the run.
  const warned = /MaxListenersExceededWarning:|memory leak detected/i.test(
    `${result.stdout}${result.stderr}`,
  );
  const lastLine = (result.stdout ?? '').trim().split('\n').at(-1) ?? '';
  summary.push({
    name,
    passed:
      result.status === 0 && !fetched && !warned && lastLine.includes('all smoke checks passed'),
    ms,
    detail: result.error
      ? String(result.error)
      : `exit ${result.status}${fetched ? ', tried to download' : ''}${warned ? ', MaxListenersExceededWarning' : ''}: ${lastLine}`,
  });
}

rmSync(denoDir, { recursive: true, force: true });

console.log(
  `\n== runtimes (${offline ? 'bun and deno without network (unshare -n)' : 'unshare -n unavailable: offline flags only'})`,
);
for (const { name, passed, ms, detail } of summary) {
  console.log(
    `${passed ? 'ok  ' : 'FAIL'} ${name.padEnd(26)} ${String(Math.round(ms)).padStart(6)} ms  ${detail}`,
  );
}
if (summary.some((entry) => !entry.passed)) process.exitCode = 1;
