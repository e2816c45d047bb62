/**
 * Workloads that are not throughput runs: end-to-end latency at a fixed produce rate, and the time
 * a broker takes to come back after SIGKILL on a log of a given size.
 */
import { join } from 'node:path';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import {
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  BATCH_LOG_OVERHEAD,
  LAST_OFFSET_DELTA_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../../src/protocol/records/batch-header.js';
import { recordBytes } from '../../src/util/file-region.js';
import {
  apiVersions,
  buildBatch,
  decodeProduceResponse,
  ensureTopic,
  fetch,
  pickVersion,
  prebuildProduce,
  recordValues,
} from './kafka.js';
import { ROOT, runForJson } from './processes.js';
import { WireConnection } from './wire.js';

export interface LatencyOptions {
  host: string;
  port: number;
  topic: string;
  /** Records per second, sent as one Produce request per timer tick. */
  rate: number;
  recordSize: number;
  warmUpMs: number;
  measureMs: number;
  /** Interval of the send timer; each tick sends what the rate owes since the start. */
  tickMs?: number;
  /**
   * The target is the raw baseline sink (bench/baseline/sink.ts), not a broker: Produce v9 with no
   * negotiation, answers not decoded, and no consumer. The figures (p50 to max) are then those of
   * the acknowledgements, the only latency a sink has.
   */
  raw?: boolean;
}

export interface LatencyResult {
  /** Records whose latency was counted (sent after the warm-up, read before the end). */
  records: number;
  sent: number;
  /** Records/s actually sent over the whole run. */
  sentRate: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  ackP99: number;
  errors: number;
  firstError?: string;
}

/** Wall-clock time in ms with sub-ms precision (Date.now() is ms-granular). */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/**
 * A paced producer (acks=1, one batch per tick with the records the rate owes, record timestamp
 * = send time rounded to the ms) and, in the same process, a consumer that long-polls (Fetch
 * max_wait 500 ms, min_bytes 1) from offset 0 and records now - batch timestamp for every record
 * of every batch sent after the warm-up. Partition 0 of `topic` only.
 */
export async function latencyRun(options: LatencyOptions): Promise<LatencyResult> {
  let produceVersion = 9;
  let fetchVersion = 12;
  if (!options.raw) {
    const admin = await WireConnection.connect(options.host, options.port);
    try {
      const ranges = await apiVersions(admin);
      produceVersion = pickVersion(ranges, Apis.Produce.apiKey, 9, { min: 3, max: 9 }) ?? 9;
      fetchVersion = pickVersion(ranges, Apis.Fetch.apiKey, 12, { min: 4, max: 12 }) ?? 12;
      await ensureTopic(admin, options.topic);
    } finally {
      admin.close();
    }
  }
  const producer = await WireConnection.connect(options.host, options.port);
  const consumer = options.raw ? undefined : await WireConnection.connect(options.host, options.port);
  const tickMs = options.tickMs ?? 1;
  const maxPerBatch = Math.max(1, Math.ceil((options.rate * tickMs) / 1000) * 4);
  const valuePool = recordValues(maxPerBatch, options.recordSize);

  const started = nowMs();
  const measureFrom = started + options.warmUpMs;
  const sendUntil = measureFrom + options.measureMs;
  const latencies = new Float64Array(Math.ceil((options.rate * (options.measureMs + 1000)) / 1000) + 1024);
  let counted = 0;
  const acks: number[] = [];
  let sent = 0;
  let errors = 0;
  let firstError: string | undefined;
  let sentInMeasure = 0;
  let ackedInMeasure = 0;

  // Producer: a timer that sends what the rate owes (so timer lateness becomes bigger batches, not
  // a lower rate), capped so a stalled loop does not send one huge batch.
  const producing = new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = nowMs();
      if (now >= sendUntil) {
        clearInterval(timer);
        resolve();
        return;
      }
      const owed = Math.min(maxPerBatch, Math.floor(((now - started) * options.rate) / 1000) - sent);
      if (owed <= 0) return;
      const timestamp = Math.round(now);
      const batch = buildBatch(valuePool.slice(0, owed), timestamp);
      const request = prebuildProduce(produceVersion, options.topic, 0, 1, batch);
      // The sink answers with a bare correlation id.
      if (options.raw) request.responseHeaderVersion = 0;
      sent += owed;
      if (timestamp >= measureFrom) sentInMeasure += owed;
      const sentAt = performance.now();
      producer.sendPrebuilt(request).then(
        (body) => {
          if (timestamp >= measureFrom) acks.push(performance.now() - sentAt);
          if (timestamp >= measureFrom) ackedInMeasure += owed;
          if (options.raw) return;
          const error =
            decodeProduceResponse(body, produceVersion).responses[0]?.partitionResponses[0]?.errorCode ?? -1;
          if (error !== 0) {
            errors++;
            firstError ??= `Produce error ${error}`;
          }
        },
        (error: unknown) => {
          errors++;
          firstError ??= String(error);
        },
      );
    };
    const timer = setInterval(tick, tickMs);
  });

  // Consumer: long-polls from offset 0 until it has seen every record sent in the measured window
  // or 5 s after the producer stopped.
  let producerDone = false;
  let doneAt = Number.POSITIVE_INFINITY;
  void producing.then(() => {
    producerDone = true;
    doneAt = nowMs();
  });
  let offset = 0;
  let seenInMeasure = 0;
  /** Every record of the measured window `reached` its end, or 5 s passed after the producer stopped. */
  const finished = (reached: number): boolean =>
    producerDone && (reached >= sentInMeasure || nowMs() > doneAt + 5000);
  // The sink has no consumer: wait for the acknowledgements of the measured window instead.
  while (consumer === undefined && !finished(ackedInMeasure)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  while (consumer !== undefined && !finished(seenInMeasure)) {
    const response = await fetch(consumer, fetchVersion, options.topic, [{ partition: 0, offset }], {
      maxWaitMs: 500,
      minBytes: 1,
    });
    const receivedAt = nowMs();
    const data = response.responses[0]?.partitions[0];
    if (response.errorCode !== 0 || !data || data.errorCode !== 0) {
      errors++;
      firstError ??= `Fetch error ${response.errorCode}/${data?.errorCode}`;
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    if (data.records === null) continue;
    const records = recordBytes(data.records);
    let position = 0;
    while (records.length - position >= BATCH_LOG_OVERHEAD) {
      const size = records.readInt32BE(position + BATCH_LENGTH_OFFSET) + BATCH_LOG_OVERHEAD;
      if (size > records.length - position || size < RECORD_COUNT_OFFSET + 4) break;
      const baseOffset = Number(records.readBigInt64BE(position));
      const count = records.readInt32BE(position + RECORD_COUNT_OFFSET);
      const timestamp = Number(records.readBigInt64BE(position + BASE_TIMESTAMP_OFFSET));
      offset = baseOffset + records.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET) + 1;
      if (timestamp >= measureFrom && timestamp < sendUntil) {
        seenInMeasure += count;
        const latency = receivedAt - timestamp;
        for (let i = 0; i < count && counted < latencies.length; i++) latencies[counted++] = latency;
      }
      position += size;
    }
  }
  producer.close();
  consumer?.close();
  acks.sort((a, b) => a - b);
  const sorted = consumer === undefined ? Float64Array.from(acks) : latencies.subarray(0, counted).sort();
  return {
    records: consumer === undefined ? ackedInMeasure : counted,
    sent,
    sentRate: (sent / (sendUntil - started)) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    ackP99: acks[Math.floor(acks.length * 0.99)] ?? Number.NaN,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

const LATENCY_MAIN = join(ROOT, 'bench', 'latency', 'main.ts');

/**
 * `latencyRun` in a child process (bench/latency/main.ts): the benchmark process holds the
 * results of every row and does its own work between them, and its pauses would be counted as
 * broker latency. `timeoutMs` bounds the child.
 */
export async function latencyRunInChild(options: LatencyOptions, timeoutMs: number): Promise<LatencyResult> {
  const args = ['--import', 'tsx', LATENCY_MAIN, JSON.stringify(options)];
  // JSON writes NaN (no sample) as null.
  const revive = (_key: string, value: unknown): unknown => (value === null ? Number.NaN : value);
  return (await runForJson('latency run', process.execPath, args, timeoutMs, revive)) as LatencyResult;
}

/**
 * Fetches `offset` of partition 0 until the answer holds a batch (the broker may refuse
 * connections or answer with errors while it loads); returns ms from the call.
 */
export async function firstFetchAt(
  host: string,
  port: number,
  topic: string,
  offset: number,
  timeoutMs = 120_000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const connection = await WireConnection.connect(host, port);
      try {
        for (;;) {
          const response = await fetch(connection, 12, topic, [{ partition: 0, offset }], {
            maxWaitMs: 0,
          });
          const data = response.responses[0]?.partitions[0];
          if (response.errorCode === 0 && data && data.errorCode === 0 && (data.records?.length ?? 0) > 0) {
            return performance.now() - started;
          }
          if (performance.now() - started > timeoutMs) throw new Error(`no data at offset ${offset}`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      } finally {
        connection.close();
      }
    } catch (error) {
      if (performance.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
