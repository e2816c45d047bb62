/**
 * Load generators over our own protocol layer. The producer encodes one Produce request per
 * partition up front (a batch of N records of a fixed size) and then only rewrites correlation
 * ids, keeping `inFlight` requests pipelined on each of `connections` sockets. The consumer
 * fetches raw batches (Fetch v12) and counts records from batch headers, never decoding records.
 */
import { Apis } from '../../src/protocol/generated/api-keys.js';
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
  walkBatches,
} from './kafka.js';
import { type PrebuiltRequest, WireConnection } from './wire.js';

/**
 * The benchmark's producer settings, shared by every row of `bench/run.ts` and by
 * `bench/baseline/sink-ab.ts`: records per Produce request by record size, sockets, and requests
 * in flight on each.
 */
export const RECORDS_PER_BATCH: Readonly<Record<number, number>> = { 100: 500, 1024: 64 };
export const CONNECTIONS = 4;
export const IN_FLIGHT = 8;

export interface ProduceLoadOptions {
  host: string;
  port: number;
  topic: string;
  recordSize: number;
  recordsPerBatch: number;
  acks: number;
  connections: number;
  inFlight: number;
  durationMs: number;
  /** Stop early once this many payload bytes are acknowledged. */
  maxPayloadBytes?: number;
  /** Target is the raw baseline sink, not a broker: no negotiation, no response decoding. */
  raw?: boolean;
  /** Raw mode only: the partition count to spread over (requests are built the same way). */
  partitions?: number;
}

export interface ProduceLoadResult {
  records: number;
  payloadBytes: number;
  /** Bytes written to sockets (frames, headers included). */
  wireBytes: number;
  requests: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  /** Acknowledged records per partition (offsets 0..n-1 on a fresh topic). */
  perPartition: number[];
  latencyMs: { p50: number; p99: number };
  produceVersion: number;
}

const PRODUCE_RANGE = { min: 3, max: 9 };

export async function produceLoad(options: ProduceLoadOptions): Promise<ProduceLoadResult> {
  let version = 9;
  let partitions = options.partitions ?? 1;
  if (!options.raw) {
    const admin = await WireConnection.connect(options.host, options.port);
    try {
      const ranges = await apiVersions(admin);
      const picked = pickVersion(ranges, Apis.Produce.apiKey, 9, PRODUCE_RANGE);
      if (picked === undefined) throw new Error('the broker does not serve Produce v3-v9');
      version = picked;
      partitions = await ensureTopic(admin, options.topic);
    } finally {
      admin.close();
    }
  }
  const requests: PrebuiltRequest[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const values = recordValues(options.recordsPerBatch, options.recordSize, partition);
    const request = prebuildProduce(version, options.topic, partition, options.acks, buildBatch(values));
    // The sink answers with a bare correlation id.
    if (options.raw) request.responseHeaderVersion = 0;
    requests.push(request);
  }
  const payloadPerRequest = options.recordsPerBatch * options.recordSize;
  const connections = await Promise.all(
    Array.from({ length: options.connections }, () => WireConnection.connect(options.host, options.port)),
  );

  const result: ProduceLoadResult = {
    records: 0,
    payloadBytes: 0,
    wireBytes: 0,
    requests: 0,
    errors: 0,
    elapsedMs: 0,
    perPartition: new Array<number>(partitions).fill(0),
    latencyMs: { p50: 0, p99: 0 },
    produceVersion: version,
  };
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;
  const cap = options.maxPayloadBytes ?? Number.POSITIVE_INFINITY;
  let sentPayload = 0;
  let nextPartition = 0;

  const runConnection = (connection: WireConnection): Promise<void> =>
    new Promise<void>((resolve) => {
      let outstanding = 0;
      let stopped = false;
      const pump = (): void => {
        while (!stopped && outstanding < options.inFlight) {
          if (performance.now() >= deadline || sentPayload >= cap || result.errors > 0) {
            stopped = true;
            break;
          }
          const partition = nextPartition;
          nextPartition = (nextPartition + 1) % partitions;
          const request = requests[partition]!;
          const sentAt = performance.now();
          outstanding++;
          sentPayload += payloadPerRequest;
          result.wireBytes += request.bytes;
          result.requests++;
          connection.sendPrebuilt(request).then(
            (body) => {
              outstanding--;
              latencies.push(performance.now() - sentAt);
              const error = options.raw || options.acks === 0 ? 0 : firstErrorCode(body, version);
              if (error === 0) {
                result.records += options.recordsPerBatch;
                result.payloadBytes += payloadPerRequest;
                result.perPartition[partition]! += options.recordsPerBatch;
              } else {
                result.errors++;
                result.firstError ??= `Produce error code ${error}`;
              }
              pump();
            },
            (error: unknown) => {
              outstanding--;
              result.errors++;
              result.firstError ??= String(error);
              stopped = true;
              pump();
            },
          );
        }
        if (stopped && outstanding === 0) resolve();
      };
      pump();
    });

  await Promise.all(connections.map(runConnection));
  result.elapsedMs = performance.now() - started;
  for (const connection of connections) connection.close();
  latencies.sort((a, b) => a - b);
  result.latencyMs = {
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
  return result;
}

function firstErrorCode(body: Buffer, version: number): number {
  const response = decodeProduceResponse(body, version);
  for (const topic of response.responses) {
    for (const partition of topic.partitionResponses) {
      if (partition.errorCode !== 0) return partition.errorCode;
    }
  }
  return 0;
}

export interface ConsumeLoadOptions {
  host: string;
  port: number;
  topic: string;
  /** Records to read per partition, from offset 0. */
  expected: readonly number[];
  connections: number;
  recordSize: number;
  partitionMaxBytes?: number;
  timeoutMs?: number;
}

export interface ConsumeLoadResult {
  records: number;
  payloadBytes: number;
  batchBytes: number;
  fetches: number;
  elapsedMs: number;
  fetchVersion: number;
  complete: boolean;
}

/**
 * Reads every partition from offset 0 until it has `expected[p]` records. Partitions are split
 * over the connections; each connection keeps one Fetch in flight (the next offset depends on
 * the previous answer), as a Kafka consumer does per broker.
 */
export async function consumeLoad(options: ConsumeLoadOptions): Promise<ConsumeLoadResult> {
  const admin = await WireConnection.connect(options.host, options.port);
  let version: number;
  try {
    const picked = pickVersion(await apiVersions(admin), Apis.Fetch.apiKey, 12, { min: 4, max: 12 });
    if (picked === undefined) throw new Error('the broker does not serve Fetch v4-v12');
    version = picked;
  } finally {
    admin.close();
  }
  const partitions = options.expected.length;
  const connectionCount = Math.max(1, Math.min(options.connections, partitions));
  // One fetch in flight per connection, each response walked before the next is awaited: the
  // frames can share one buffer.
  const connections = await Promise.all(
    Array.from({ length: connectionCount }, () =>
      WireConnection.connect(options.host, options.port, 10_000, { reuseFrameBuffer: true }),
    ),
  );
  const result: ConsumeLoadResult = {
    records: 0,
    payloadBytes: 0,
    batchBytes: 0,
    fetches: 0,
    elapsedMs: 0,
    fetchVersion: version,
    complete: false,
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const started = performance.now();
  await Promise.all(
    connections.map(async (connection, index) => {
      const mine = new Map<number, { offset: number; read: number }>();
      for (let partition = index; partition < partitions; partition += connectionCount) {
        if (options.expected[partition]! > 0) mine.set(partition, { offset: 0, read: 0 });
      }
      while (mine.size > 0 && Date.now() < deadline) {
        const response = await fetch(
          connection,
          version,
          options.topic,
          [...mine].map(([partition, state]) => ({ partition, offset: state.offset })),
          options.partitionMaxBytes !== undefined ? { partitionMaxBytes: options.partitionMaxBytes } : {},
        );
        result.fetches++;
        if (response.errorCode !== 0) throw new Error(`Fetch error ${response.errorCode}`);
        for (const topic of response.responses) {
          for (const data of topic.partitions) {
            if (data.errorCode !== 0) throw new Error(`Fetch partition error ${data.errorCode}`);
            const state = mine.get(data.partitionIndex);
            if (!state) continue;
            const walk = walkBatches(data.records === null ? null : recordBytes(data.records));
            if (walk.batches === 0) continue;
            state.offset = walk.nextOffset;
            state.read += walk.records;
            result.records += walk.records;
            result.batchBytes += walk.bytes;
            if (state.read >= options.expected[data.partitionIndex]!) mine.delete(data.partitionIndex);
          }
        }
      }
    }),
  );
  result.elapsedMs = performance.now() - started;
  for (const connection of connections) connection.close();
  result.payloadBytes = result.records * options.recordSize;
  result.complete = result.records >= options.expected.reduce((sum, count) => sum + count, 0);
  return result;
}
