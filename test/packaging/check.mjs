/**
 * The published package, checked as a user receives it (SPEC › Platforms):
 *
 * 1. publint, strict (warnings count as errors): no message at all.
 * 2. attw --pack (profile "strict": node10, node16 from CJS and from ESM, bundler):
 *    no problem, and each mode resolves to the right build and declarations —
 *    CJS to index.cjs + index.d.cts, ESM to index.js + index.d.ts.
 * 3. npm pack --dry-run: the tarball holds only dist/*, README.md, LICENSE and
 *    package.json, and every file the exports map names.
 * 4. The builds use no Node built-in (nor any import or require at all).
 * 5. Size report (never a failure): min + gzip / brotli of the ESM entry and of
 *    `import { gather }`, measured by size-limit with a temporary config, so that a
 *    budget can be set.
 *
 *   npm run build && node test/packaging/check.mjs
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const failures = [];

function check(ok, what, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures.push(what);
}

const timed = async (what, run) => {
  const start = performance.now();
  await run();
  console.log(`     (${what}: ${Math.round(performance.now() - start)} ms)`);
};

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// 1. publint
await timed('publint', async () => {
  const { messages } = await publint({ pkgDir: root, strict: true, level: 'suggestion' });
  const lines = messages.map(
    (message) => `${message.type}: ${formatMessage(message, packageJson) ?? message.code}`,
  );
  check(
    messages.length === 0,
    'publint --strict: no error, warning or suggestion',
    lines.join('; '),
  );
});

// 2. attw --pack
await timed('attw --pack', () => {
  const result = spawnSync(
    bin('attw'),
    ['--pack', '.', '--format', 'json', '--profile', 'strict'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    check(false, 'attw --pack ran', `exit ${result.status}: ${result.stderr.trim()}`);
    return;
  }
  const problems = [
    ...(Array.isArray(report.problems)
      ? report.problems
      : Object.values(report.problems ?? {}).flat()),
    ...(report.analysis?.problems ?? []),
  ];
  check(
    problems.length === 0 && result.status === 0,
    'attw --pack, profile strict: no problem (no false CJS/ESM, no masquerading, all modes resolve)',
    problems.map((problem) => `${problem.kind} (${problem.resolutionKind ?? ''})`).join(', '),
  );
  const resolutions = report.analysis?.entrypoints?.['.']?.resolutions ?? {};
  const expected = {
    node10: ['dist/index.d.ts', 'dist/index.cjs'],
    'node16-cjs': ['dist/index.d.cts', 'dist/index.cjs'],
    'node16-esm': ['dist/index.d.ts', 'dist/index.js'],
    bundler: ['dist/index.d.ts', 'dist/index.js'],
  };
  for (const [mode, [types, implementation]] of Object.entries(expected)) {
    const resolution = resolutions[mode];
    const gotTypes = resolution?.resolution?.fileName?.replace('/node_modules/p-gather/', '');
    const gotJs = resolution?.implementationResolution?.fileName?.replace(
      '/node_modules/p-gather/',
      '',
    );
    check(
      gotTypes === types && gotJs === implementation,
      `attw: "p-gather" under ${mode} resolves to ${implementation} typed by ${types}`,
      `got ${gotJs} typed by ${gotTypes}`,
    );
  }
});

// 3. npm pack --dry-run
await timed('npm pack --dry-run', () => {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [tarball] = JSON.parse(output);
  const files = tarball.files.map((file) => file.path).sort();
  const allowed = (path) =>
    path.startsWith('dist/') || ['README.md', 'LICENSE', 'package.json'].includes(path);
  const strays = files.filter((path) => !allowed(path));
  check(
    strays.length === 0,
    'npm pack ships only dist/*, README.md, LICENSE and package.json',
    `${files.length} files, ${tarball.size} B packed, ${tarball.unpackedSize} B unpacked: ${files.join(', ')}${strays.length > 0 ? `; not allowed: ${strays.join(', ')}` : ''}`,
  );
  const required = [
    'README.md',
    'LICENSE',
    'package.json',
    'dist/index.js',
    'dist/index.cjs',
    'dist/index.d.ts',
    'dist/index.d.cts',
  ];
  const missing = required.filter((path) => !files.includes(path));
  check(
    missing.length === 0,
    'npm pack ships every file the exports map names',
    missing.join(', '),
  );
});

// 4. No Node built-in, no import, no require in the builds. One exception, as SPEC ›
// Platforms allows: `node:events` reached at run time through
// `process.getBuiltinModule(...)` where it exists (the listener cap) — never imported.
const runtimeBuiltin = /getBuiltinModule(?:\?\.|\.call)?\([^)]*["']node:events["']\)/g;
for (const file of ['dist/index.js', 'dist/index.cjs']) {
  const code = readFileSync(join(root, file), 'utf8');
  const lookups = code.match(runtimeBuiltin) ?? [];
  const imports =
    code
      .replace(runtimeBuiltin, '')
      .match(/^\s*import\s[^;]*;|\bimport\s*\(|\brequire\s*\(|["']node:[a-z_/]+["']/gm) ?? [];
  check(
    imports.length === 0,
    `${file} imports and requires nothing (no Node built-in)`,
    imports.join(', '),
  );
  check(
    lookups.length === 1,
    `${file} reaches node:events once, at run time, through process.getBuiltinModule`,
    `${lookups.length} lookup(s)`,
  );
}

// 5. Sizes, for setting a size-limit budget (reported, never a failure).
await timed('size-limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p-gather-size-'));
  const entry = join(root, 'dist', 'index.js');
  const checks = [];
  for (const compression of ['gzip', 'brotli']) {
    const options = compression === 'gzip' ? { gzip: true } : {};
    checks.push(
      { name: `whole ESM entry, ${compression}`, path: entry, import: '*', ...options },
      { name: `import { gather }, ${compression}`, path: entry, import: '{ gather }', ...options },
      {
        name: `import { gatherSettled }, ${compression}`,
        path: entry,
        import: '{ gatherSettled }',
        ...options,
      },
      {
        name: `import { isolate }, ${compression}`,
        path: entry,
        import: '{ isolate }',
        ...options,
      },
    );
  }
  const config = join(dir, '.size-limit.json');
  writeFileSync(config, JSON.stringify(checks, null, 2));
  const result = spawnSync(bin('size-limit'), ['--json', '--config', config], {
    cwd: root,
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true, force: true });
  let sizes;
  try {
    sizes = JSON.parse(result.stdout);
  } catch {
    check(false, 'size-limit ran', `exit ${result.status}: ${result.stderr.trim()}`);
    return;
  }
  const raw = readFileSync(entry);
  sizes.push(
    { name: 'dist/index.js unminified, gzip', size: gzipSync(raw, { level: 9 }).length },
    { name: 'dist/index.js unminified, brotli', size: brotliCompressSync(raw).length },
    { name: 'dist/index.js unminified, raw', size: raw.length },
  );
  console.log('size (size-limit: bundled and minified by esbuild, then compressed):');
  for (const { name, size } of sizes) {
    console.log(`     ${name.padEnd(36)} ${String(size).padStart(6)} B`);
  }
});

if (failures.length > 0) {
  console.error(`packaging: ${failures.length} check(s) failed`);
  process.exitCode = 1;
} else {
  console.log('packaging: all checks passed');
}
