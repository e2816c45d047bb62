/**
 * Kafka requests the load generators and the crash-safety test need, over WireConnection:
 * version negotiation, topic creation (CreateTopics or Metadata auto-creation) and deletion,
 * prebuilt Produce requests and Fetch requests, and a walk over fetched batches that reads only
 * their 61-byte headers.
 */
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import {
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
} from '../../src/protocol/generated/fetch-request.js';
import type { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { createMetadataRequestMetadataRequestTopic } from '../../src/protocol/generated/metadata-request.js';
import type { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import {
  BATCH_LENGTH_OFFSET,
  BATCH_LOG_OVERHEAD,
  LAST_OFFSET_DELTA_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../../src/protocol/records/batch-header.js';
import { buildRecordBatch } from '../../src/protocol/records/builder.js';
import { type PrebuiltRequest, prebuild, type WireConnection } from './wire.js';

export interface ApiRange {
  min: number;
  max: number;
}

/** The broker's version ranges by API key (ApiVersions v3). */
export async function apiVersions(connection: WireConnection): Promise<Map<number, ApiRange>> {
  const response = await connection.request(
    Apis.ApiVersions,
    3,
    Apis.ApiVersions.request.create({ clientSoftwareName: 'samsa-bench', clientSoftwareVersion: '0.1.0' }),
  );
  if (response.errorCode !== 0) throw new Error(`ApiVersions failed with error ${response.errorCode}`);
  return new Map(response.apiKeys.map((key) => [key.apiKey, { min: key.minVersion, max: key.maxVersion }]));
}

/** The highest version both sides speak, preferring `preferred` when the broker allows it. */
export function pickVersion(
  ranges: Map<number, ApiRange>,
  apiKey: number,
  preferred: number,
  ours: ApiRange,
): number | undefined {
  const theirs = ranges.get(apiKey);
  if (!theirs) return undefined;
  const low = Math.max(theirs.min, ours.min);
  const high = Math.min(theirs.max, ours.max);
  if (low > high) return undefined;
  return Math.min(Math.max(preferred, low), high);
}

/** Creates `topic` through Metadata auto-creation and waits until every partition has a leader. */
export async function ensureTopic(
  connection: WireConnection,
  topic: string,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await connection.request(
      Apis.Metadata,
      9,
      Apis.Metadata.request.create({
        topics: [createMetadataRequestMetadataRequestTopic({ name: topic })],
        allowAutoTopicCreation: true,
      }),
    );
    const found = response.topics.find((candidate) => candidate.name === topic);
    if (
      found &&
      found.errorCode === 0 &&
      found.partitions.length > 0 &&
      found.partitions.every((partition) => partition.leaderId >= 0 && partition.errorCode === 0)
    ) {
      return found.partitions.length;
    }
    if (Date.now() > deadline) {
      throw new Error(`topic ${topic} not ready: ${JSON.stringify(found ?? null, bigintReplacer)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Record values of `recordSize` bytes, distinct per record so nothing compresses or dedupes. */
export function recordValues(count: number, recordSize: number, seed = 0): Buffer[] {
  const values: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(recordSize, 0x61 + ((i + seed) % 26));
    value.write(`${seed}:${i}:`, 0, 'latin1');
    values.push(value);
  }
  return values;
}

/** One uncompressed v2 batch of `values` (no key, no headers, producer id -1). */
export function buildBatch(values: readonly Buffer[], timestamp = Date.now()): Buffer {
  return buildRecordBatch({ records: values.map((value) => ({ value })), timestamp });
}

/** A Produce request with one batch for one partition, encoded once. */
export function prebuildProduce(
  version: number,
  topic: string,
  partition: number,
  acks: number,
  batch: Buffer,
  timeoutMs = 30_000,
): PrebuiltRequest {
  return prebuild(
    Apis.Produce,
    version,
    Apis.Produce.request.create({
      acks,
      timeoutMs,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    }),
    { expectsResponse: acks !== 0 },
  );
}

export function decodeProduceResponse(body: Buffer, version: number): ProduceResponse {
  return Apis.Produce.response.decode(new Reader(body), version);
}

export interface FetchPosition {
  partition: number;
  offset: number;
}

export interface FetchLimits {
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
}

/** One Fetch request for `positions` of `topic` (a plain consumer: replica id -1, no session). */
export async function fetch(
  connection: WireConnection,
  version: number,
  topic: string,
  positions: readonly FetchPosition[],
  limits: FetchLimits = {},
): Promise<FetchResponse> {
  return connection.request(
    Apis.Fetch,
    version,
    Apis.Fetch.request.create({
      replicaId: -1,
      maxWaitMs: limits.maxWaitMs ?? 100,
      minBytes: limits.minBytes ?? 1,
      maxBytes: limits.maxBytes ?? 52_428_800,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        createFetchRequestFetchTopic({
          topic,
          partitions: positions.map((position) =>
            createFetchRequestFetchPartition({
              partition: position.partition,
              fetchOffset: BigInt(position.offset),
              partitionMaxBytes: limits.partitionMaxBytes ?? 1_048_576,
            }),
          ),
        }),
      ],
    }),
  );
}

export interface BatchWalk {
  /** Records in the whole batches of the blob. */
  records: number;
  /** Bytes of those batches. */
  bytes: number;
  /** The offset after the last whole batch, or -1 when there was none. */
  nextOffset: number;
  batches: number;
}

/** Counts records from batch headers only; a trailing partial batch is ignored (KIP-74). */
export function walkBatches(records: Buffer | null): BatchWalk {
  const walk: BatchWalk = { records: 0, bytes: 0, nextOffset: -1, batches: 0 };
  if (records === null) return walk;
  let position = 0;
  while (records.length - position >= BATCH_LOG_OVERHEAD) {
    const size = records.readInt32BE(position + BATCH_LENGTH_OFFSET) + BATCH_LOG_OVERHEAD;
    if (size > records.length - position || size < RECORD_COUNT_OFFSET + 4) break;
    const baseOffset = Number(records.readBigInt64BE(position));
    walk.nextOffset = baseOffset + records.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET) + 1;
    walk.records += records.readInt32BE(position + RECORD_COUNT_OFFSET);
    walk.bytes += size;
    walk.batches++;
    position += size;
  }
  return walk;
}

/**
 * Creates `topic` with `partitions` partitions and topic `configs` (CreateTopics v4, e.g.
 * `{ 'flush.messages': '1' }`), then waits for its leaders. INVALID_REPLICATION_FACTOR is retried
 * for up to 60 s: a KRaft broker stopped (SIGSTOP) for longer than its session timeout (9 s) is
 * fenced, and until it has registered again its controller knows no broker to place a replica on.
 */
export async function createTopic(
  connection: WireConnection,
  topic: string,
  partitions: number,
  configs: Readonly<Record<string, string>> = {},
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await connection.request(
      Apis.CreateTopics,
      4,
      Apis.CreateTopics.request.create({
        topics: [
          {
            name: topic,
            numPartitions: partitions,
            replicationFactor: 1,
            assignments: [],
            configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: 30_000,
        validateOnly: false,
      }),
    );
    const error = response.topics[0]?.errorCode ?? -1;
    if (error === ErrorCode.NONE || error === ErrorCode.TOPIC_ALREADY_EXISTS) break;
    if (error !== ErrorCode.INVALID_REPLICATION_FACTOR || Date.now() > deadline) {
      throw new Error(`CreateTopics ${topic} failed with error ${error}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await ensureTopic(connection, topic);
}

/**
 * Writes one 1-byte record to every partition until each is accepted: a new topic's leaders can
 * be in the metadata before they take writes (Apache Kafka answers NOT_LEADER_OR_FOLLOWER for a
 * moment). Leaves one record in each partition.
 */
export async function waitWritable(
  connection: WireConnection,
  version: number,
  topic: string,
  partitions: number,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let partition = 0; partition < partitions; partition++) {
    for (;;) {
      const request = prebuildProduce(version, topic, partition, 1, buildBatch([Buffer.from('.')]));
      const response = decodeProduceResponse(await connection.sendPrebuilt(request), version);
      const error = response.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
      if (error === 0) break;
      if (Date.now() > deadline)
        throw new Error(`partition ${partition} of ${topic} not writable: error ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Deletes `topic` (DeleteTopics v4); a topic that is already gone is not an error. */
export async function deleteTopic(connection: WireConnection, topic: string): Promise<void> {
  const response = await connection.request(
    Apis.DeleteTopics,
    4,
    Apis.DeleteTopics.request.create({ topicNames: [topic], timeoutMs: 30_000 }),
  );
  const error = response.responses[0]?.errorCode ?? -1;
  if (error !== ErrorCode.NONE && error !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
    throw new Error(`DeleteTopics ${topic} failed with error ${error}`);
  }
}
