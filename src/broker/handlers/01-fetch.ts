/**
 * Fetch (key 1), versions 4-17. From v13 topics are named by id (UNKNOWN_TOPIC_ID for an id we do
 * not know); v15-17 add only tagged fields (replica state, node endpoints, directory id).
 * Reads whole batches up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed), within partition_max_bytes and the response's max_bytes (for consumers at most
 * the broker's fetch.max.bytes, as in Kafka); the first partition with data returns at least one
 * whole batch even above those limits (KIP-74). Batches are never cut, control batches are
 * returned. With less than min_bytes available the request waits until an append to one of its
 * partitions brings enough, or max_wait_ms passes.
 * Fetch sessions are declined: the response session id is 0, so clients send full requests; a
 * request naming a session id other than 0 gets FETCH_SESSION_ID_NOT_FOUND.
 * Not implemented: follower fetches (replica_id >= 0 is served like a consumer but for the
 * fetch.max.bytes cap), aborted transaction lists (always empty), preferred read replicas (-1),
 * quotas, diverging epochs.
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
import { handOver, releaseBuffer } from '../../util/buffer-pool.js';
import type { BrokerContext } from '../context.js';
import { fetchWaitersOf, partitionKey } from '../fetch-waiters.js';
import type { ConnectionInfo } from '../net/handler.js';
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
    const topics = resolveTopics(broker.image(), request, apiVersion >= 13);
    const maxBytes = responseMaxBytes(broker, request, apiVersion);
    const done = (pass: FetchPass): boolean =>
      pass.bytes >= request.minBytes || pass.hasError || deadline - Date.now() <= 0 || connection.closed;
    // Most fetches find enough at once: they are answered without registering as waiters.
    let pass = await readPartitions(broker, connection, request, topics, maxBytes);
    if (done(pass)) return response(pass.responses);
    const waiters = fetchWaitersOf(broker);
    const watched = topics.flatMap(({ name, requested }) =>
      name === null ? [] : requested.partitions.map((partition) => partitionKey(name, partition.partition)),
    );
    for (;;) {
      // Registered before reading again, so that an append landing during the read is not missed.
      let woken = false;
      let wake: () => void = () => {};
      const wakeup = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const cancel = waiters.watch(watched, () => {
        woken = true;
        wake();
      });
      // Reading again gives the same answer unless an append, retention or a metadata change
      // moved something since the last read (the common case of a consumer waiting at the end).
      if (!readStillCurrent(broker, pass)) {
        releaseRecords(pass.responses);
        pass = await readPartitions(broker, connection, request, topics, maxBytes);
      }
      if (done(pass)) {
        cancel();
        return response(pass.responses);
      }
      if (!woken) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        });
        const unclose = connection.onClose(() => wake());
        await Promise.race([wakeup, timeout]);
        clearTimeout(timer);
        unclose();
      }
      cancel();
      if (connection.closed) return response(pass.responses);
    }
  },
});

/** The answer; its read buffers go with it, released by the connection once written. */
function response(responses: FetchResponseFetchableTopicResponse[]) {
  for (const topic of responses) {
    for (const partition of topic.partitions) {
      if (Buffer.isBuffer(partition.records)) handOver(partition.records);
    }
  }
  return Apis.Fetch.response.create({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses,
  });
}

/**
 * Gives back the read buffers of reads that will not be sent. A pass that is sent hands them to
 * the connection, which releases them once written (see util/buffer-pool).
 */
function releaseRecords(responses: readonly FetchResponseFetchableTopicResponse[]): void {
  for (const topic of responses) for (const partition of topic.partitions) releasePartition(partition);
}

function releasePartition(data: FetchResponsePartitionData): void {
  if (data.records === null) return;
  if (Buffer.isBuffer(data.records)) releaseBuffer(data.records);
  else data.records.release();
}

interface FetchPass {
  responses: FetchResponseFetchableTopicResponse[];
  bytes: number;
  hasError: boolean;
  /** The metadata the pass was read under. */
  image: MetadataImage;
}

/**
 * Whether `pass` (no errors in it) is still what a read now would answer: the same metadata, and
 * every partition's log still online with the offsets the pass reported. Each partition was read
 * up to the offset it reported (or to its byte limit, which a new read would meet the same way).
 * A log that went offline (a failed append wakes nobody) must be read again to answer its error.
 */
function readStillCurrent(broker: BrokerContext, pass: FetchPass): boolean {
  if (pass.hasError || broker.image() !== pass.image) return false;
  for (const topic of pass.responses) {
    for (const data of topic.partitions) {
      const log = broker.topics.log(topic.topic, data.partitionIndex);
      if (log === undefined || log.isOffline) return false;
      if (
        Number(data.highWatermark) !== log.highWatermark ||
        Number(data.lastStableOffset) !== log.lastStableOffset ||
        Number(data.logStartOffset) !== log.logStartOffset
      ) {
        return false;
      }
    }
  }
  return true;
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
 * One read of every requested partition, within the byte limits, giving exactly the answer of
 * reading them one after the other in request order (each partition gets what max_bytes has left;
 * KIP-74: until some data is in the response, a first batch comes whole whatever its size).
 *
 * The reads are issued in waves: the next partitions whose limits together fit in what max_bytes
 * has left are read at once, so their disk reads overlap instead of queueing one behind the
 * other. Each read of a wave is then accepted, in order, only if the sequential pass would have
 * made the same read: the budget it had is still all there, and KIP-74 would not have changed it
 * (an empty answer from a partition with data, read before any data was in the response). The
 * first read that fails this is done again the sequential way, and the next wave starts after it.
 */
async function readPartitions(
  broker: BrokerContext,
  connection: ConnectionInfo,
  request: FetchRequest,
  topics: readonly ResolvedTopic[],
  maxBytes: number,
): Promise<FetchPass> {
  const image = broker.image();
  const readCommitted = request.isolationLevel === READ_COMMITTED;
  const wanted: Array<{ topic: string | null; partition: FetchRequestFetchPartition }> = [];
  for (const { requested, name } of topics) {
    for (const partition of requested.partitions) wanted.push({ topic: name, partition });
  }
  // A fetch of one partition is read into memory: its read-ahead has the next chunk ready when
  // the next fetch comes, which measured faster than sendfile's serial steps (docs/design.md).
  const regionMinBytes = wanted.length > 1 ? sendFileMinBytes(broker, connection) : undefined;
  const results: FetchResponsePartitionData[] = new Array(wanted.length);
  let bytes = 0;
  let hasError = false;
  const read = (index: number, budget: number, minOneBatch: boolean): Promise<FetchResponsePartitionData> => {
    const { topic, partition } = wanted[index]!;
    if (topic === null)
      return Promise.resolve(partitionError(partition.partition, ErrorCode.UNKNOWN_TOPIC_ID));
    return readPartition(broker, image, topic, partition, {
      readCommitted,
      budget,
      minOneBatch,
      regionMinBytes,
    });
  };
  const accept = (index: number, data: FetchResponsePartitionData): void => {
    results[index] = data;
    bytes += data.records?.length ?? 0;
    if (data.errorCode !== ErrorCode.NONE) hasError = true;
  };
  let next = 0;
  while (next < wanted.length) {
    const left = Math.max(0, maxBytes - bytes);
    let end = next;
    let limits = 0;
    while (end < wanted.length) {
      const limit = Math.max(0, wanted[end]!.partition.partitionMaxBytes);
      if (limits + limit > left) break;
      limits += limit;
      end++;
    }
    if (left === 0 && bytes > 0) {
      // max_bytes is used up: every partition left gets an empty read with its offsets.
      const rest = await Promise.all(wanted.slice(next).map((_, offset) => read(next + offset, 0, false)));
      for (let index = next; index < wanted.length; index++) accept(index, rest[index - next]!);
      break;
    }
    if (end === next) {
      // Its limit exceeds what is left: the sequential read, with what is left.
      accept(next, await read(next, left, bytes === 0));
      next++;
      continue;
    }
    const startBytes = bytes;
    let firstRead = true;
    const wave = await Promise.all(
      wanted.slice(next, end).map(({ topic, partition }, offset) => {
        const minOneBatch = startBytes === 0 && firstRead && topic !== null;
        if (topic !== null) firstRead = false;
        return read(next + offset, partition.partitionMaxBytes, minOneBatch);
      }),
    );
    let index = next;
    for (; index < end; index++) {
      const data = wave[index - next]!;
      const { partition } = wanted[index]!;
      const sameBudget = partition.partitionMaxBytes <= Math.max(0, maxBytes - bytes);
      const unread = data.errorCode === ErrorCode.NONE && data.highWatermark > partition.fetchOffset;
      const kip74Differs = bytes === 0 && (data.records?.length ?? 0) === 0 && unread;
      if (!sameBudget || kip74Differs) break;
      accept(index, data);
    }
    if (index < end) {
      for (let discarded = index; discarded < end; discarded++) releasePartition(wave[discarded - next]!);
      accept(index, await read(index, Math.max(0, maxBytes - bytes), bytes === 0));
      index++;
    }
    next = index;
  }
  const pass: FetchPass = { responses: [], bytes, hasError, image };
  let at = 0;
  for (const { requested, name, wireId } of topics) {
    const partitions = results.slice(at, at + requested.partitions.length);
    at += requested.partitions.length;
    pass.responses.push({ topic: name ?? '', topicId: wireId, partitions });
  }
  return pass;
}

/**
 * The request's max_bytes, capped by the broker's fetch.max.bytes unless a follower asks (as in
 * Kafka).
 */
function responseMaxBytes(broker: BrokerContext, request: FetchRequest, apiVersion: number): number {
  const replicaId = apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  if (replicaId >= 0) return request.maxBytes;
  return Math.min(request.maxBytes, broker.config.get('fetch.max.bytes'));
}

/**
 * Reads of at least this many bytes go to the client with sendfile, as a file region, where the
 * connection can send them (`samsa.fetch.sendfile.min.bytes`, -1 = never); undefined: never.
 */
function sendFileMinBytes(broker: BrokerContext, connection: ConnectionInfo): number | undefined {
  const minBytes = broker.config.get('samsa.fetch.sendfile.min.bytes');
  return minBytes >= 0 && connection.sendsFiles ? minBytes : undefined;
}

interface ReadLimits {
  readCommitted: boolean;
  budget: number;
  minOneBatch: boolean;
  regionMinBytes: number | undefined;
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
            ...(limits.regionMinBytes === undefined ? {} : { regionMinBytes: limits.regionMinBytes }),
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
      records: result.region ?? (result.records.length > 0 ? result.records : EMPTY),
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
