/** Rows of the benchmark: how they are judged, printed and written to JSON. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { median, type Samples } from './harness';

/** What one side of a row reports, in the row's unit. */
export interface Side {
  readonly name: string;
  /** The median, in the row's unit. */
  readonly value: number;
  readonly samples: number;
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  /** Median absolute deviation, in % of the median: how stable the median is. */
  readonly madPercent?: number;
}

/** A target on `ratio` (p-gather / baseline, median over median): it must be ≤ `maxRatio`. */
export interface Target {
  readonly text: string;
  readonly maxRatio: number;
}

export interface Row {
  readonly group: string;
  readonly case: string;
  readonly n: string;
  readonly unit: string;
  readonly subject: Side;
  readonly baseline?: Side;
  readonly ratio?: number;
  readonly target?: Target;
  /** PASS / MISS against the target; `info` for rows that only report. */
  readonly status: 'PASS' | 'MISS' | 'info';
}

/** The median of `samples`, with its spread, scaled from ms per sample to the row's unit. */
export function side(samples: Samples, scale: number): Side {
  const medianMs = median(samples.ms);
  const deviations = samples.ms.map((ms) => Math.abs(ms - medianMs));
  return {
    name: samples.name,
    value: medianMs * scale,
    samples: samples.ms.length,
    medianMs,
    minMs: Math.min(...samples.ms),
    maxMs: Math.max(...samples.ms),
    madPercent: (100 * median(deviations)) / medianMs,
  };
}

interface RowInput {
  readonly group: string;
  readonly case: string;
  readonly n: string;
  readonly unit: string;
  readonly subject: Side;
  readonly baseline?: Side | undefined;
  readonly target?: Target | undefined;
}

/** A row judged against its target: ratio = subject median / baseline median. */
export function row(input: RowInput): Row {
  const { subject, baseline, target } = input;
  const ratio = baseline === undefined ? undefined : subject.value / baseline.value;
  let status: Row['status'] = 'info';
  if (target !== undefined && ratio !== undefined) {
    status = ratio <= target.maxRatio ? 'PASS' : 'MISS';
  }
  return {
    group: input.group,
    case: input.case,
    n: input.n,
    unit: input.unit,
    subject,
    ...(baseline === undefined ? {} : { baseline }),
    ...(ratio === undefined ? {} : { ratio }),
    ...(target === undefined ? {} : { target }),
    status,
  };
}

/**
 * The rows of one size of a "large call and small calls" group: the subject
 * against each baseline, per task for the one large call, per call for the many
 * small ones (`calls > 1`). `what` names the case, given whether it is small.
 */
export function rowsPerSize(
  group: string,
  size: { readonly n: number; readonly calls: number },
  what: (small: boolean) => string,
  subject: Samples,
  baselines: readonly (readonly [label: string, samples: Samples])[],
): Row[] {
  const { n, calls } = size;
  const small = calls > 1;
  const scale = small ? 1e6 / calls : nsPerTask(n);
  const base = {
    group,
    n: small ? `${n} × ${calls} calls` : formatN(n),
    unit: small ? 'ns/call' : 'ns/task',
    subject: side(subject, scale),
  };
  return baselines.map(([label, samples]) =>
    row({ ...base, case: `${what(small)} vs ${label}`, baseline: side(samples, scale) }),
  );
}

/** Rows whose numbers are given per task function of a group of `n`. */
export function nsPerTask(n: number): number {
  return 1e6 / n;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatN(n: number): string {
  if (n >= 1000 && Number.isInteger(Math.log10(n))) return `1e${Math.log10(n)}`;
  return n.toLocaleString('en-US');
}

/** The table on stdout: one line per row. */
export function printTable(rows: readonly Row[]): void {
  const header = ['case', 'n', 'p-gather', 'baseline', 'unit', 'ratio', 'target', 'result'];
  const lines = rows.map((r) => [
    r.case,
    r.n,
    formatNumber(r.subject.value),
    r.baseline === undefined ? '—' : `${formatNumber(r.baseline.value)} (${r.baseline.name})`,
    r.unit,
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target?.text ?? (r.baseline === undefined ? 'reported' : '—'),
    r.status === 'info' ? '' : r.status,
  ]);
  const widths = header.map((h, column) =>
    Math.max(h.length, ...lines.map((line) => (line[column] as string).length)),
  );
  const numeric = new Set([2, 5]);
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] as number;
        return numeric.has(column) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

export interface Report {
  readonly mode: 'full' | 'quick';
  /** `P_GATHER_BUILD` when another build than this checkout's was measured. */
  readonly build: string | undefined;
  readonly startedAt: Date;
  readonly seconds: number;
  readonly rows: readonly Row[];
  readonly errors: readonly string[];
}

/** The commit measured, and whether src/ had uncommitted changes; `undefined` outside git. */
function sourceVersion(): { commit: string; srcChanged: boolean } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      srcChanged: git('status', '--porcelain', '--', 'src') !== '',
    };
  } catch {
    return undefined;
  }
}

/** Machine facts and every row's numbers, as JSON. */
export function writeJson(path: string, report: Report): void {
  const cpus = os.cpus();
  const json = {
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      node: process.version,
      v8: process.versions.v8,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      execArgv: process.execArgv,
    },
    date: report.startedAt.toISOString(),
    // Another build than this checkout's says nothing about its commit: name it instead.
    source: report.build !== undefined ? { build: report.build } : sourceVersion(),
    mode: report.mode,
    seconds: Math.round(report.seconds),
    ratio: 'p-gather median / baseline median (same run, same process)',
    rows: report.rows,
    errors: report.errors,
  };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}
