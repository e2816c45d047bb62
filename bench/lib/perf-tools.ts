/**
 * Apache Kafka's own load generators, `kafka-producer-perf-test` and `kafka-consumer-perf-test`
 * (kafka-tools, run through bench/kafka/run-tool.sh), against any bootstrap server, and parsers of
 * their summary lines. The figures are the tools' own: they are measured inside the JVM from the
 * first send / the first fetch, so the JVM's start-up and the consumer's group join are not in them.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './processes.js';

export const RUN_TOOL = join(ROOT, 'bench', 'kafka', 'run-tool.sh');

export interface ProducerPerfSummary {
  records: number;
  recordsPerSec: number;
  /** The tool's "MB/sec": record values only, MB = 2^20 bytes. */
  mibPerSec: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** True when these are the steady-state figures (records after --warmup-records only). */
  steadyState: boolean;
}

// "1000000 records sent, 262237.762238 records/sec (25.01 MB/sec), 105.91 ms avg latency,
//  298.00 ms max latency, 136 ms 50th, 170 ms 95th, 172 ms 99th, 174 ms 99.9th."
// With --warmup-records a second line follows: "250000 steady state records sent, ...". The
// progress lines printed meanwhile have no percentiles, so they do not match.
const PRODUCER_SUMMARY =
  /^(\d+) (steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99\.9th\.?$/;

/** The steady-state summary when there is one, else the whole run's; undefined when neither. */
export function parseProducerPerf(output: string): ProducerPerfSummary | undefined {
  let whole: ProducerPerfSummary | undefined;
  for (const line of output.split('\n')) {
    const match = PRODUCER_SUMMARY.exec(line.trim());
    if (!match) continue;
    const summary: ProducerPerfSummary = {
      records: Number(match[1]),
      recordsPerSec: Number(match[3]),
      mibPerSec: Number(match[4]),
      avgMs: Number(match[5]),
      maxMs: Number(match[6]),
      p50Ms: Number(match[7]),
      p95Ms: Number(match[8]),
      p99Ms: Number(match[9]),
      p999Ms: Number(match[10]),
      steadyState: match[2] !== undefined,
    };
    if (summary.steadyState) return summary;
    whole = summary;
  }
  return whole;
}

export interface ConsumerPerfSummary {
  records: number;
  mib: number;
  /** fetch.nMsg.sec: records over the time spent fetching, the group join excluded. */
  recordsPerSec: number;
  /** fetch.MB.sec (MB = 2^20 bytes of keys + values). */
  mibPerSec: number;
  /** nMsg.sec: over the whole run, the group join included. */
  recordsPerSecWithJoin: number;
  rebalanceMs: number;
  fetchMs: number;
}

/**
 * The CSV summary of kafka-consumer-perf-test: a header line "start.time, end.time,
 * data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms,
 * fetch.MB.sec, fetch.nMsg.sec" and the line of values after it.
 */
export function parseConsumerPerf(output: string): ConsumerPerfSummary | undefined {
  const lines = output.split('\n').map((line) => line.trim());
  const headerAt = lines.findIndex((line) => line.startsWith('start.time,'));
  if (headerAt < 0 || headerAt + 1 >= lines.length) return undefined;
  const names = lines[headerAt]!.split(',').map((name) => name.trim());
  const values = lines[headerAt + 1]!.split(',').map((value) => value.trim());
  if (values.length !== names.length) return undefined;
  const field = (name: string): number => {
    const index = names.indexOf(name);
    return index < 0 ? Number.NaN : Number(values[index]);
  };
  const summary: ConsumerPerfSummary = {
    records: field('data.consumed.in.nMsg'),
    mib: field('data.consumed.in.MB'),
    recordsPerSec: field('fetch.nMsg.sec'),
    mibPerSec: field('fetch.MB.sec'),
    recordsPerSecWithJoin: field('nMsg.sec'),
    rebalanceMs: field('rebalance.time.ms'),
    fetchMs: field('fetch.time.ms'),
  };
  return Number.isFinite(summary.records) && Number.isFinite(summary.recordsPerSec) ? summary : undefined;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bench/kafka/run-tool.sh to completion (SIGKILL after `timeoutMs`). */
export function runKafkaTool(args: readonly string[], timeoutMs = 300_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(RUN_TOOL, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.length > 1_000_000) stdout = stdout.slice(-100_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export type Compression = 'none' | 'lz4';

export interface ProducerPerfOptions {
  bootstrap: string;
  topic: string;
  records: number;
  /** Records sent first and left out of the steady-state figures (JIT warm-up of both sides). */
  warmupRecords: number;
  recordSize: number;
  /** 1 or -1 (all). */
  acks: number;
  compression: Compression;
  lingerMs: number;
  batchSize: number;
}

/** The producer settings passed to the tool, also printed in the report. */
export function producerProperties(options: ProducerPerfOptions): string[] {
  return [
    `bootstrap.servers=${options.bootstrap}`,
    `acks=${options.acks === -1 ? 'all' : options.acks}`,
    `linger.ms=${options.lingerMs}`,
    `batch.size=${options.batchSize}`,
    `compression.type=${options.compression}`,
  ];
}

export async function producerPerf(options: ProducerPerfOptions): Promise<ProducerPerfSummary> {
  const run = await runKafkaTool([
    'kafka-producer-perf-test',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--warmup-records',
    String(options.warmupRecords),
    '--command-property',
    ...producerProperties(options),
  ]);
  const summary = parseProducerPerf(run.stdout);
  if (!summary || run.code !== 0) {
    throw new Error(
      `kafka-producer-perf-test exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(-500)}`,
    );
  }
  return summary;
}

export interface ConsumerPerfOptions {
  bootstrap: string;
  topic: string;
  records: number;
  timeoutMs?: number;
}

export async function consumerPerf(options: ConsumerPerfOptions): Promise<ConsumerPerfSummary> {
  const run = await runKafkaTool([
    'kafka-consumer-perf-test',
    '--bootstrap-server',
    options.bootstrap,
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--timeout',
    String(options.timeoutMs ?? 30_000),
  ]);
  const summary = parseConsumerPerf(run.stdout);
  if (!summary || run.code !== 0) {
    throw new Error(
      `kafka-consumer-perf-test exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(-500)}`,
    );
  }
  return summary;
}
