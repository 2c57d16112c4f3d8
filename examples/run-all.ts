/**
 * `npm run examples`: builds the package, then runs every example in `examples/*.ts`
 * (but this runner and the demo) as a child process, `node --import tsx
 * examples/<name>.ts`, one after the other, and checks what it prints against
 * `examples/expected/<name>.txt`.
 *
 * The examples import `'p-gather'` as a reader's code does, and the children run with
 * `examples/tsconfig.run.json` (no `paths` entry), so that import resolves through the
 * package's `exports` to the build in `dist/` — what a user installs — not to `src/`.
 *
 * Each example starts its own server on 127.0.0.1 and stops it, so the runner
 * passes nothing in. The examples print the same lines on every run except for
 * durations: every `123 ms` is normalised to `# ms` on both sides before comparing,
 * so the expected files keep the numbers of a real run and read like one.
 *
 * An example passes when it exits 0 and its normalised output equals the expected
 * file; otherwise the runner shows why (a diff, or the exit code and stderr) and
 * exits 1. `--update` rewrites the expected file of every example that exits 0 —
 * read the diff in git before committing it.
 *
 * Run: `npm run examples [-- --update]` (it builds first; run by hand, build first:
 * `npm run build && npx tsx examples/run-all.ts`)
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(EXAMPLES, '..');
const NOT_EXAMPLES = new Set(['run-all.ts', 'demo.ts']);
/** tsx's settings for the children: the root's without `paths`, so `'p-gather'` is the build. */
const RUN_TSCONFIG = join(EXAMPLES, 'tsconfig.run.json');
/** Far above any example's run time (well under 2 s): only a hang reaches it. */
const TIME_LIMIT = 15_000;

/** What one example did: its exit, what it printed, how long it took. */
interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

const update = process.argv.includes('--update');
const names = (await readdir(EXAMPLES))
  .filter((file) => file.endsWith('.ts') && !NOT_EXAMPLES.has(file))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const t0 = performance.now();
let failed = 0;
for (const name of names) {
  const run = await runExample(name);
  const problem = await check(name, run);
  if (problem === undefined) {
    console.log(`✓ ${name} (${Math.round(run.ms)} ms)`);
  } else {
    failed++;
    console.log(`✗ ${name} (${Math.round(run.ms)} ms): ${problem}`);
  }
  if (run.stderr.trim() !== '') console.log(indent(`stderr:\n${run.stderr.trimEnd()}`));
}
const total = Math.round(performance.now() - t0);
console.log(
  failed === 0
    ? `\nall ${names.length} examples passed in ${total} ms`
    : `\n${failed} of ${names.length} examples failed (${total} ms)`,
);
process.exitCode = failed === 0 ? 0 : 1;

/**
 * Runs one example as its own process, as a user would, so that each starts from a
 * clean slate and one that never exits cannot hold up the others for long.
 */
function runExample(name: string): Promise<Run> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(EXAMPLES, `${name}.ts`)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TSX_TSCONFIG_PATH: RUN_TSCONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => {
    stderr += `\n(killed: still running after ${TIME_LIMIT} ms)\n`;
    child.kill('SIGKILL');
  }, TIME_LIMIT);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/**
 * Why `run` does not pass, or `undefined` when it does. With `--update`, a run that
 * exited 0 becomes the expected output instead.
 */
async function check(name: string, run: Run): Promise<string | undefined> {
  if (run.code !== 0) return `exited with ${run.code ?? run.signal}`;
  const expectedFile = join(EXAMPLES, 'expected', `${name}.txt`);
  if (update) {
    await writeFile(expectedFile, run.stdout);
    return undefined;
  }
  let expected: string;
  try {
    expected = await readFile(expectedFile, 'utf8');
  } catch {
    return `no expected output: create examples/expected/${name}.txt (or run with --update)\n${indent(run.stdout)}`;
  }
  const want = normalise(expected);
  const got = normalise(run.stdout);
  if (want.join('\n') === got.join('\n')) return undefined;
  return `the output differs from examples/expected/${name}.txt (- expected, + actual)\n${indent(diff(want, got).join('\n'))}`;
}

/**
 * The lines of `output`, with every duration (`123 ms`, padded or not) replaced by
 * `# ms` and trailing spaces dropped: what stays is what must not change.
 */
function normalise(output: string): string[] {
  return output
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '')
    .split('\n')
    .map((line) =>
      line
        .replace(
          /( *)\d+(?:\.\d+)? ms\b( *)/g,
          (_, before: string, after: string) =>
            `${before === '' ? '' : ' '}# ms${after === '' ? '' : ' '}`,
        )
        .trimEnd(),
    );
}

/**
 * A line diff (longest common subsequence): `  ` same, `- ` expected only, `+ `
 * actual only. Outputs are a few dozen lines, so the quadratic table is nothing.
 */
function diff(expected: readonly string[], actual: readonly string[]): string[] {
  const rows = expected.length;
  const columns = actual.length;
  // common[i][j]: the length of the longest common subsequence of expected[i..], actual[j..].
  const common = Array.from({ length: rows + 1 }, () => new Array<number>(columns + 1).fill(0));
  const at = (i: number, j: number) => common[i]?.[j] ?? 0;
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      const row = common[i] as number[];
      row[j] =
        expected[i] === actual[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && expected[i] === actual[j]) {
      lines.push(`  ${expected[i++]}`);
      j++;
    } else if (i < rows && (j === columns || at(i + 1, j) >= at(i, j + 1))) {
      lines.push(`- ${expected[i++]}`);
    } else {
      lines.push(`+ ${actual[j++]}`);
    }
  }
  return lines;
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
