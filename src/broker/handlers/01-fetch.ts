/**
 * Fetch (key 1), versions 4-17. From v13 topics are named by id (UNKNOWN_TOPIC_ID for an id we do
 * not know); v15-17 add only tagged fields (replica state, node endpoints, directory id).
 * Reads whole batches up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed), within partition_max_bytes and the response's max_bytes; the first partition
 * with data returns at least one whole batch even above those limits (KIP-74). Batches are never
 * cut, control batches are returned. With less than min_bytes available the request waits until
 * an append to one of its partitions brings enough, or max_wait_ms passes.
 * Fetch sessions are declined: the response session id is 0, so clients send full requests; a
 * request naming a session id other than 0 gets FETCH_SESSION_ID_NOT_FOUND.
 * Not implemented: follower fetches (replica_id >= 0 is served like a consumer), aborted
 * transaction lists (always empty), preferred read replicas (-1), quotas, diverging epochs.
 */
import type { MetadataImage } from '../../metadata/metadata-image.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FetchRequest, FetchRequestFetchPartition } from '../../protocol/generated/fetch-request.js';
import type {
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/generated/fetch-response.js';
import { OffsetOutOfRangeError } from '../../storage/errors.js';
import { releaseBuffer } from '../../util/buffer-pool.js';
import type { BrokerContext } from '../context.js';
import { fetchWaitersOf, partitionKey } from '../fetch-waiters.js';
import { lookupPartition, storageErrorCode } from '../partition-lookup.js';
import { defineHandler } from './handler.js';
import { isZeroWireUuid, topicIdFromWire, topicIdToWire } from './topic-ids.js';

const READ_COMMITTED = 1;
const WIRE_ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const NO_EPOCH_END = { epoch: -1, endOffset: -1n };
const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };
const NO_SNAPSHOT = { endOffset: -1n, epoch: -1 };
const EMPTY = Buffer.alloc(0);

export const fetchHandler = defineHandler({
  api: Apis.Fetch,
  minVersion: 4,
  maxVersion: 17,
  async handle(request, context) {
    const { broker, connection, apiVersion } = context;
    if (request.sessionId !== 0) {
      return Apis.Fetch.response.create({
        throttleTimeMs: 0,
        errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
        sessionId: 0,
        responses: [],
      });
    }
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    const waiters = fetchWaitersOf(broker);
    const topics = resolveTopics(broker.image(), request, apiVersion >= 13);
    const watched = topics.flatMap(({ name, requested }) =>
      name === null ? [] : requested.partitions.map((partition) => partitionKey(name, partition.partition)),
    );
    for (;;) {
      // Registered before reading, so that an append landing during the read is not missed.
      let woken = false;
      let wake: () => void = () => {};
      const wakeup = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const cancel = waiters.watch(watched, () => {
        woken = true;
        wake();
      });
      const pass = await readPartitions(broker, request, topics);
      const remaining = deadline - Date.now();
      if (pass.bytes >= request.minBytes || pass.hasError || remaining <= 0 || connection.closed) {
        cancel();
        return response(pass.responses);
      }
      if (!woken) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, remaining);
        });
        const unclose = connection.onClose(() => wake());
        await Promise.race([wakeup, timeout]);
        clearTimeout(timer);
        unclose();
      }
      cancel();
      if (connection.closed) return response(pass.responses);
      releaseRecords(pass.responses); // read again on the next pass
    }
  },
});

function response(responses: FetchResponseFetchableTopicResponse[]) {
  return Apis.Fetch.response.create({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses,
  });
}

/**
 * Gives back the read buffers of a pass that will not be sent. A pass that is sent hands them to
 * the connection, which releases them once written (see util/buffer-pool).
 */
function releaseRecords(responses: readonly FetchResponseFetchableTopicResponse[]): void {
  for (const topic of responses) {
    for (const partition of topic.partitions)
      if (partition.records !== null) releaseBuffer(partition.records);
  }
}

interface FetchPass {
  responses: FetchResponseFetchableTopicResponse[];
  bytes: number;
  hasError: boolean;
}

interface ResolvedTopic {
  requested: FetchRequest['topics'][number];
  /** The topic's name, or null when it was named by an id we do not know. */
  name: string | null;
  /** The id to answer with (v13+): the topic's own, or the unknown one as requested. */
  wireId: string;
}

/** Names the requested topics: by name before v13, by topic id from v13. */
function resolveTopics(image: MetadataImage, request: FetchRequest, byId: boolean): ResolvedTopic[] {
  return request.topics.map((requested) => {
    if (!byId) {
      const topic = image.topic(requested.topic);
      return {
        requested,
        name: requested.topic,
        wireId: topic ? topicIdToWire(topic.topicId) : WIRE_ZERO_UUID,
      };
    }
    const topic = isZeroWireUuid(requested.topicId)
      ? undefined
      : image.topicById(topicIdFromWire(requested.topicId));
    return { requested, name: topic?.name ?? null, wireId: requested.topicId };
  });
}

/**
 * One read of every requested partition, within the byte limits. When the partitions' limits
 * together fit in max_bytes, every partition's read is issued at once (the disk reads overlap
 * instead of queueing one behind the other); the answer must then be the one the sequential pass
 * gives, so if KIP-74 would have changed it (a batch returned above its partition's limit, or an
 * empty partition with data before any other data), the sequential pass is run instead.
 */
async function readPartitions(
  broker: BrokerContext,
  request: FetchRequest,
  topics: readonly ResolvedTopic[],
): Promise<FetchPass> {
  let total = 0;
  for (const { requested } of topics) {
    for (const partition of requested.partitions) total += Math.max(0, partition.partitionMaxBytes);
  }
  if (total <= request.maxBytes) {
    const pass = await readPartitionsAtOnce(broker, request, topics);
    if (pass !== undefined) return pass;
  }
  return readPartitionsInOrder(broker, request, topics);
}

async function readPartitionsAtOnce(
  broker: BrokerContext,
  request: FetchRequest,
  topics: readonly ResolvedTopic[],
): Promise<FetchPass | undefined> {
  const image = broker.image();
  const readCommitted = request.isolationLevel === READ_COMMITTED;
  let first = true;
  const reads = topics.map(({ requested, name }) =>
    Promise.all(
      requested.partitions.map((partition) => {
        if (name === null) return partitionError(partition.partition, ErrorCode.UNKNOWN_TOPIC_ID);
        const minOneBatch = first;
        first = false;
        return readPartition(broker, image, name, partition, {
          readCommitted,
          budget: partition.partitionMaxBytes,
          minOneBatch,
        });
      }),
    ),
  );
  const results = await Promise.all(reads);
  const pass: FetchPass = { responses: [], bytes: 0, hasError: false };
  for (let t = 0; t < topics.length; t++) {
    const { requested, name, wireId } = topics[t]!;
    const partitions = results[t]!;
    for (let p = 0; p < partitions.length; p++) {
      const data = partitions[p]!;
      const size = data.records?.length ?? 0;
      const fetchOffset = requested.partitions[p]!.fetchOffset;
      const unread = data.errorCode === ErrorCode.NONE && data.highWatermark > fetchOffset;
      if (size > requested.partitions[p]!.partitionMaxBytes || (size === 0 && pass.bytes === 0 && unread)) {
        releaseRecords(results.map((partitions) => ({ topic: '', topicId: '', partitions })));
        return undefined;
      }
      pass.bytes += size;
      if (data.errorCode !== ErrorCode.NONE) pass.hasError = true;
    }
    pass.responses.push({ topic: name ?? '', topicId: wireId, partitions });
  }
  return pass;
}

/** One read of every requested partition, in request order, within the byte limits. */
async function readPartitionsInOrder(
  broker: BrokerContext,
  request: FetchRequest,
  topics: readonly ResolvedTopic[],
): Promise<FetchPass> {
  const image = broker.image();
  const readCommitted = request.isolationLevel === READ_COMMITTED;
  const pass: FetchPass = { responses: [], bytes: 0, hasError: false };
  for (const { requested, name, wireId } of topics) {
    const partitions: FetchResponsePartitionData[] = [];
    for (const partition of requested.partitions) {
      if (name === null) {
        partitions.push(partitionError(partition.partition, ErrorCode.UNKNOWN_TOPIC_ID));
        pass.hasError = true;
        continue;
      }
      const data = await readPartition(broker, image, name, partition, {
        readCommitted,
        budget: Math.max(0, request.maxBytes - pass.bytes),
        // KIP-74: until some data is in the response, a batch is returned whatever its size.
        minOneBatch: pass.bytes === 0,
      });
      const size = data.records?.length ?? 0;
      pass.bytes += size;
      if (data.errorCode !== ErrorCode.NONE) pass.hasError = true;
      partitions.push(data);
    }
    pass.responses.push({ topic: name ?? '', topicId: wireId, partitions });
  }
  return pass;
}

interface ReadLimits {
  readCommitted: boolean;
  budget: number;
  minOneBatch: boolean;
}

async function readPartition(
  broker: BrokerContext,
  image: MetadataImage,
  topic: string,
  request: FetchRequestFetchPartition,
  limits: ReadLimits,
): Promise<FetchResponsePartitionData> {
  const index = request.partition;
  const found = lookupPartition(broker, image, topic, index, request.currentLeaderEpoch);
  if (!found.ok) return partitionError(index, found.errorCode);
  const { log } = found;
  const fetchOffset = Number(request.fetchOffset);
  const maxBytes = Math.min(request.partitionMaxBytes, limits.budget);
  const maxOffset = limits.readCommitted ? log.lastStableOffset : log.highWatermark;
  try {
    const result =
      maxBytes > 0 || limits.minOneBatch
        ? await log.read(fetchOffset, maxBytes, {
            maxOffset,
            minOneBatch: limits.minOneBatch,
            readAheadBytes: request.partitionMaxBytes,
          })
        : await log.read(fetchOffset, 0, { maxOffset: fetchOffset });
    return {
      partitionIndex: index,
      errorCode: ErrorCode.NONE,
      highWatermark: BigInt(result.highWatermark),
      lastStableOffset: BigInt(result.lastStableOffset),
      logStartOffset: BigInt(result.logStartOffset),
      divergingEpoch: NO_EPOCH_END,
      currentLeader: NO_LEADER,
      snapshotId: NO_SNAPSHOT,
      abortedTransactions: limits.readCommitted ? [] : null,
      preferredReadReplica: -1,
      records: result.records.length > 0 ? result.records : EMPTY,
    };
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError) {
      return {
        ...partitionError(index, ErrorCode.OFFSET_OUT_OF_RANGE),
        highWatermark: BigInt(log.highWatermark),
        lastStableOffset: BigInt(log.lastStableOffset),
        logStartOffset: BigInt(log.logStartOffset),
      };
    }
    const errorCode = storageErrorCode(error) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    broker.logger.warn({ err: error, topic, partition: index }, 'fetch read failed');
    return partitionError(index, errorCode);
  }
}

function partitionError(index: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex: index,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    divergingEpoch: NO_EPOCH_END,
    currentLeader: NO_LEADER,
    snapshotId: NO_SNAPSHOT,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}
