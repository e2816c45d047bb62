/**
 * The performance targets of docs/benchmarks.md, checked against one run's results JSON: every
 * comparison is between figures of the same run (Samsa over Apache Kafka, or Samsa over itself),
 * medians of the repetitions. `bench/run.ts` prints this table at the end of its report, and
 * `bench/targets.ts` prints it for a saved run.
 */
import { isObject, rowsOf } from './charts.js';
import {
  type Durability,
  kafkaConsumeId,
  kafkaProduceId,
  latencyId,
  MANY_PARTITIONS,
  PERF_WORKLOADS,
  perfToolIds,
  SIZES,
  samsaIds,
} from './ids.js';
import { compact, fixed, markdownTable, summarize } from './stats.js';

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetCheck {
  /** What the target asks, e.g. "produce, Samsa fsync / Kafka ≥ 1.0". */
  target: string;
  /** One line per compared workload: "100 B, 1 partition, acks=1: 0.91× (2.10 M / 2.31 M)". */
  figures: string[];
  /** How many of the workloads met it, of those measured. */
  met: number;
  measured: number;
  status: TargetStatus;
}

/** The figures of a results file the targets read. Missing parts make those targets "not measured". */
export interface ResultsForTargets {
  /** Median records/s by row id, of the throughput rows and the perf-tool rows. */
  throughput: ReadonlyMap<string, number>;
  /** Median share of the payload written to disk while the row ran, by produce row id (runs since
   * 426a982): it tells a broker that synced each write from one that only filled its page cache. */
  diskShare: ReadonlyMap<string, number>;
  /** Median end-to-end p99 (ms) by latency row id. */
  latencyP99: ReadonlyMap<string, number>;
  /** Median spawn → first Fetch at the log end (ms) and the log's size, by recovery row id. */
  recovery: ReadonlyMap<string, { fetchMs: number; logMiB: number }>;
  startup?: {
    spawnToConnectMs: number;
    idleRssMiB: number;
    inProcessDiskMs: number;
    inProcessMemoryMs: number;
  };
}

const PARTITIONS = [1, 6] as const;
const ACKS = [1, -1] as const;
/** The targets' limits (the issue's, with MB = 10^6 bytes). */
export const LIMITS = {
  startupMs: 500,
  idleRssBytes: 100e6,
  inProcessMs: 50,
  manyPartitionsShare: 0.7,
  /** Recovery counts as independent of the log's size if the largest log takes at most this
   * factor of the time of a log at most a fourth of its size. */
  recoveryGrowth: 1.25,
} as const;

function medians(rows: readonly { id: string; samples: readonly Record<string, number>[] }[], key: string) {
  const out = new Map<string, number>();
  for (const row of rows) {
    const m = summarize(row.samples.map((s) => s[key] ?? Number.NaN)).median;
    if (Number.isFinite(m)) out.set(row.id, m);
  }
  return out;
}

function finite(value: unknown): number {
  if (isObject(value) && typeof value.median === 'number') return value.median;
  return Number.NaN;
}

/** Reads the figures the targets need from a parsed results JSON (older files lack some parts). */
export function resultsForTargets(json: unknown): ResultsForTargets {
  if (!isObject(json)) throw new Error('not a results object');
  const throughput = new Map([
    ...medians(rowsOf(json.rows, ['recordsPerSec']), 'recordsPerSec'),
    ...medians(rowsOf(json.perfTool, ['recordsPerSec']), 'recordsPerSec'),
  ]);
  const recovery = new Map<string, { fetchMs: number; logMiB: number }>();
  for (const row of rowsOf(json.recovery, ['fetchMs', 'logMiB'])) {
    const fetchMs = summarize(row.samples.map((s) => s.fetchMs)).median;
    const logMiB = summarize(row.samples.map((s) => s.logMiB)).median;
    if (Number.isFinite(fetchMs) && Number.isFinite(logMiB)) recovery.set(row.id, { fetchMs, logMiB });
  }
  const s = json.startup;
  const startup = isObject(s)
    ? {
        spawnToConnectMs: finite(s.spawnToConnectMs),
        idleRssMiB: finite(s.idleRssMiB),
        inProcessDiskMs: finite(s.inProcessDiskMs),
        inProcessMemoryMs: finite(s.inProcessMemoryMs),
      }
    : undefined;
  return {
    throughput,
    diskShare: medians(rowsOf(json.rows, ['diskShare']), 'diskShare'),
    latencyP99: medians(rowsOf(json.latency, ['p99']), 'p99'),
    recovery,
    ...(startup ? { startup } : {}),
  };
}

function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

function sizeName(size: number): string {
  return size === 1024 ? '1 KiB' : `${size} B`;
}

function workloadName(size: number, partitions: number, acks?: number, lz4 = false): string {
  const p = `${partitions} partition${partitions === 1 ? '' : 's'}`;
  const a = acks === undefined ? '' : `, acks=${acks === -1 ? 'all' : acks}`;
  return `${sizeName(size)}, ${p}${a}${lz4 ? ', lz4' : ''}`;
}

interface Pair {
  name: string;
  ours: string;
  theirs: string;
}

/** A target that each pair meets when ours / theirs ≥ `atLeast` (throughput) or ≤ `atMost` (latency). */
function compare(
  target: string,
  pairs: readonly Pair[],
  values: ReadonlyMap<string, number>,
  bound: { atLeast: number } | { atMost: number },
  format: (value: number) => string,
  diskShare?: ReadonlyMap<string, number>,
): TargetCheck {
  const figures: string[] = [];
  let met = 0;
  let measured = 0;
  for (const { name, ours, theirs } of pairs) {
    const a = values.get(ours);
    const b = values.get(theirs);
    if (a === undefined || b === undefined || b === 0) continue;
    const r = a / b;
    measured++;
    const ok = 'atLeast' in bound ? r >= bound.atLeast : r <= bound.atMost;
    if (ok) met++;
    const da = diskShare?.get(ours);
    const db = diskShare?.get(theirs);
    const disk =
      da === undefined || db === undefined
        ? ''
        : `; written to disk during the row: ${fixed(da * 100, 0)} % / ${fixed(db * 100, 0)} %`;
    figures.push(`${name}: ${ok ? `**${ratio(r)}**` : ratio(r)} (${format(a)} / ${format(b)}${disk})`);
  }
  return { target, figures, met, measured, status: status(met, measured) };
}

function status(met: number, measured: number): TargetStatus {
  if (measured === 0) return 'not measured';
  return met === measured ? 'met' : 'missed';
}

function single(
  target: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  text: string,
): TargetCheck {
  if (value === undefined || !Number.isFinite(value)) {
    return { target, figures: [], met: 0, measured: 0, status: 'not measured' };
  }
  const met = ok(value) ? 1 : 0;
  return { target, figures: [text], met, measured: 1, status: status(met, 1) };
}

function producePairs(durability: Durability, kafkaFlush: boolean): Pair[] {
  return SIZES.flatMap((recordSize) =>
    PARTITIONS.flatMap((partitions) =>
      ACKS.map((acks) => ({
        name: workloadName(recordSize, partitions, acks),
        ours: samsaIds({ recordSize, durability, partitions, acks }).produce,
        theirs: kafkaProduceId(recordSize, partitions, acks, kafkaFlush),
      })),
    ),
  );
}

function perfProducePairs(durability: Durability): Pair[] {
  return PERF_WORKLOADS.map((w) => ({
    name: workloadName(w.recordSize, w.partitions, w.acks, w.compression === 'lz4'),
    ours: perfToolIds('samsa', `${durability}/`, w).produce,
    theirs: perfToolIds('kafka', '', w).produce,
  }));
}

/** The consume rows (ours: the fsync broker's) read back the acks=1 topic of each workload. */
function consumePairs(tool: 'reader' | 'perftool'): Pair[] {
  return SIZES.flatMap((recordSize) =>
    PARTITIONS.map((partitions) => {
      const w = { recordSize, partitions, acks: 1, compression: 'none' as const };
      return {
        name: workloadName(recordSize, partitions),
        ours:
          tool === 'reader'
            ? samsaIds({ ...w, durability: 'fsync' }).consume
            : perfToolIds('samsa', 'fsync/', w).consume,
        theirs:
          tool === 'reader' ? kafkaConsumeId(recordSize, partitions) : perfToolIds('kafka', '', w).consume,
      };
    }),
  );
}

function recoveryCheck(recovery: ReadonlyMap<string, { fetchMs: number; logMiB: number }>): TargetCheck {
  const target = `recovery after SIGKILL independent of log size (time at the largest log ≤ ${LIMITS.recoveryGrowth}× the time at one of at most a fourth of its size)`;
  // Rows of one segment size: the default ones (samsa/recovery/<n>MB) and each variant.
  const series = new Map<string, { fetchMs: number; logMiB: number }[]>();
  for (const [id, figure] of recovery) {
    const variant = id.split('/').slice(3).join('/') || 'default segments';
    series.set(variant, [...(series.get(variant) ?? []), figure]);
  }
  const figures: string[] = [];
  let met = 0;
  let measured = 0;
  for (const [variant, points] of series) {
    points.sort((a, b) => a.logMiB - b.logMiB);
    const last = points.at(-1)!;
    // The largest log against the largest one at most a fourth of its size: the smallest logs'
    // times are the broker's start-up alone, and their spread is the start-up's.
    const reference = points.filter((p) => p.logMiB * 4 <= last.logMiB).at(-1);
    if (reference === undefined) continue;
    measured++;
    const growth = last.fetchMs / reference.fetchMs;
    if (growth <= LIMITS.recoveryGrowth) met++;
    const path = points.map((p) => `${Math.round(p.fetchMs)}`).join(' → ');
    const sizes = points.map((p) => `${Math.round(p.logMiB)}`).join(' → ');
    figures.push(
      `${variant}: ${path} ms for ${sizes} MiB (${Math.round(last.logMiB)} against ${Math.round(reference.logMiB)} MiB: ${ratio(growth)})`,
    );
  }
  return { target, figures, met, measured, status: status(met, measured) };
}

/** Every target, in the order of docs/benchmarks.md. */
export function checkTargets(results: ResultsForTargets): TargetCheck[] {
  const { throughput, diskShare, latencyP99, startup } = results;
  const mib = (bytes: number) => bytes / 2 ** 20;
  const fsyncProduce = (recordSize: number, partitions: number) =>
    samsaIds({ recordSize, durability: 'fsync', partitions, acks: 1 }).produce;
  const manyPairs = SIZES.map((size) => ({
    name: `${sizeName(size)}, ${MANY_PARTITIONS} / 6 partitions`,
    ours: fsyncProduce(size, MANY_PARTITIONS),
    theirs: fsyncProduce(size, 6),
  }));
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return [
    compare(
      'produce, our generator: Samsa fsync / Kafka ≥ 1.0',
      producePairs('fsync', false),
      throughput,
      { atLeast: 1 },
      compact,
      diskShare,
    ),
    compare(
      'produce, our generator: Samsa pagecache / Kafka ≥ 1.0 (same durability)',
      producePairs('pagecache', false),
      throughput,
      { atLeast: 1 },
      compact,
      diskShare,
    ),
    compare(
      'produce, matched durability: Samsa fsync / Kafka flush.messages=1 ≥ 1.0',
      producePairs('fsync', true),
      throughput,
      { atLeast: 1 },
      compact,
      diskShare,
    ),
    compare(
      'produce, kafka-producer-perf-test: Samsa fsync / Kafka ≥ 1.0',
      perfProducePairs('fsync'),
      throughput,
      { atLeast: 1 },
      compact,
    ),
    compare(
      'produce, kafka-producer-perf-test: Samsa pagecache / Kafka ≥ 1.0 (same durability)',
      perfProducePairs('pagecache'),
      throughput,
      { atLeast: 1 },
      compact,
    ),
    compare(
      'consume, C reader, 10 M records: Samsa / Kafka ≥ 1.0',
      consumePairs('reader'),
      throughput,
      { atLeast: 1 },
      compact,
    ),
    compare(
      'consume, kafka-consumer-perf-test: Samsa / Kafka ≥ 1.0',
      consumePairs('perftool'),
      throughput,
      { atLeast: 1 },
      compact,
    ),
    compare(
      'p99 end-to-end latency at 10 k records/s: Samsa fsync ≤ Kafka',
      [
        {
          name: '10 k records/s',
          ours: latencyId('samsa', 10_000, false),
          theirs: latencyId('kafka', 10_000, false),
        },
      ],
      latencyP99,
      { atMost: 1 },
      ms,
    ),
    single(
      `start-up to first connection < ${LIMITS.startupMs} ms`,
      startup?.spawnToConnectMs,
      (v) => v < LIMITS.startupMs,
      `${Math.round(startup?.spawnToConnectMs ?? 0)} ms`,
    ),
    single(
      `idle RSS < ${LIMITS.idleRssBytes / 1e6} MB (${mib(LIMITS.idleRssBytes).toFixed(1)} MiB)`,
      startup?.idleRssMiB,
      (v) => v < mib(LIMITS.idleRssBytes),
      `${(startup?.idleRssMiB ?? 0).toFixed(0)} MiB`,
    ),
    single(
      `in-process broker started and stopped < ${LIMITS.inProcessMs} ms (on disk)`,
      startup?.inProcessDiskMs,
      (v) => v < LIMITS.inProcessMs,
      `${ms(startup?.inProcessDiskMs ?? 0)} on disk, ${ms(startup?.inProcessMemoryMs ?? 0)} in memory`,
    ),
    compare(
      `produce with ${MANY_PARTITIONS} partitions ≥ ${LIMITS.manyPartitionsShare * 100} % of 6 partitions (Samsa fsync, acks=1)`,
      manyPairs,
      throughput,
      { atLeast: LIMITS.manyPartitionsShare },
      compact,
    ),
    recoveryCheck(results.recovery),
  ];
}

/** The targets as a Markdown table; the figures of a target are separated by semicolons. */
export function renderTargets(checks: readonly TargetCheck[]): string {
  const rows = checks.map((c) => [
    c.target,
    c.figures.length > 0 ? c.figures.join('; ') : 'not in this run',
    c.status === 'not measured' ? c.status : `${c.status} (${c.met} of ${c.measured})`,
  ]);
  return markdownTable(['target', 'this run (Samsa / Kafka unless said)', 'status'], rows);
}
