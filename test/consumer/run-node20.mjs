/**
 * `await using` on Node 20 with the README's settings: compiles await-using-node20.mts
 * with tsconfig.node20.json (type errors fail), checks that TypeScript lowered the
 * syntax (Node 20 has `Symbol.asyncDispose` but fails on `await using` with a
 * SyntaxError), then runs the output on this Node against the build in dist/ — the
 * program is fed on stdin from the package root, so `'p-gather'` resolves to the
 * package itself through its `exports`. Needs `npm run build` first; part of
 * `npm run test:declarations`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('tsconfig.node20.json', import.meta.url));

const config = ts.getParsedCommandLineOfConfigFile(configFile, undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail(format([diagnostic])),
});
if (config === undefined) fail(`cannot read ${configFile}`);
if (config.errors.length > 0) fail(format(config.errors));

const program = ts.createProgram({
  rootNames: config.fileNames,
  // Without comments, so that the check below looks at code only.
  options: { ...config.options, noEmit: false, removeComments: true },
});
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length > 0) fail(format(diagnostics));

let javascript = '';
program.emit(undefined, (fileName, text) => {
  if (fileName.endsWith('.mjs')) javascript = text;
});
if (javascript === '') fail('TypeScript emitted no .mjs file');
if (/^\s*await\s+using\s/m.test(javascript)) {
  fail('TypeScript left `await using` in the output, which Node 20 cannot parse');
}

const run = spawnSync(process.execPath, ['--input-type=module'], {
  cwd: root,
  input: javascript,
  encoding: 'utf8',
});
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
if (run.status !== 0) fail(`the compiled program exited with ${run.status ?? run.signal}`);
console.log(`await using, compiled with tsconfig.node20.json: ran on Node ${process.version}`);

/** @param {readonly import('typescript').Diagnostic[]} list */
function format(list) {
  return ts.formatDiagnostics(list, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`test/consumer/run-node20.mjs: ${message}`);
  process.exit(1);
}
