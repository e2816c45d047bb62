/**
 * Produce (key 0), versions 0-11 advertised. v0-v2 carry the old message formats, which Samsa
 * does not store: every partition is answered with UNSUPPORTED_VERSION, as Kafka 4 does (the range
 * still starts at 0 because librdkafka before 2.11 turns compression off without it).
 * v3+: acks 0, 1 and -1 (anything else: INVALID_REQUIRED_ACKS). Each partition's batches are
 * checked by the LogValidator and appended from the request frame (no copy); the partitions of one
 * request are appended concurrently so they share group-commit fsyncs. The answer waits for the
 * appends to be durable; acks=0 gets no answer at all. Unknown topics are auto-created when
 * `auto.create.topics.enable` is on.
 * Requests of one connection are handled concurrently (validation, decompression), but their
 * appends enter the partition logs in request order, as producers with several requests in flight
 * rely on: each request waits for the previous one's appends to be issued, not to be durable.
 * Idempotent producers: sequence numbers are checked per producer and partition just before the
 * append (src/broker/producers/producer-state.ts): retried duplicates are answered with their first
 * offset, gaps with OUT_OF_ORDER_SEQUENCE_NUMBER, stale epochs with INVALID_PRODUCER_EPOCH.
 * Not implemented: transactions (transactional batches are stored as received), recompression to
 * the topic's compression.type, quotas (throttle time 0).
 */
import { topicNameProblem } from '../../metadata/topic-name.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ProduceRequestPartitionProduceData } from '../../protocol/generated/produce-request.js';
import type {
  ProduceResponsePartitionProduceResponse,
  ProduceResponseTopicProduceResponse,
} from '../../protocol/generated/produce-response.js';
import type { TopicLogOptions } from '../../storage/log-config.js';
import type { BrokerContext } from '../context.js';
import { fetchWaitersOf } from '../fetch-waiters.js';
import { type ValidationRules, validateRecords } from '../log-validator.js';
import { lookupPartition, storageErrorCode } from '../partition-lookup.js';
import { producerStatesOf } from '../producers/producer-state.js';
import { defineHandler } from './handler.js';

const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };
/** The first Produce version that carries v2 record batches. */
const FIRST_STORED_VERSION = 3;

export const produceHandler = defineHandler({
  api: Apis.Produce,
  minVersion: 0,
  maxVersion: 11,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const turn = takeAppendTurn(
      context.connection.state,
      request.topicData.reduce((sum, topic) => sum + topic.partitionData.length, 0),
    );
    const acks = request.acks;
    const rejectAll =
      apiVersion < FIRST_STORED_VERSION
        ? ErrorCode.UNSUPPORTED_VERSION
        : acks !== 0 && acks !== 1 && acks !== -1
          ? ErrorCode.INVALID_REQUIRED_ACKS
          : ErrorCode.NONE;

    const responses: ProduceResponseTopicProduceResponse[] = await Promise.all(
      request.topicData.map(async (topic) => {
        const topicError = rejectAll !== ErrorCode.NONE ? rejectAll : await topicProblem(broker, topic.name);
        const partitionResponses = await Promise.all(
          topic.partitionData.map((partition) => {
            if (topicError === ErrorCode.NONE) return producePartition(broker, topic.name, partition, turn);
            turn.settle();
            return partitionError(partition.index, topicError);
          }),
        );
        return { name: topic.name, partitionResponses };
      }),
    );
    if (acks === 0) return null;
    return Apis.Produce.response.create({ responses, throttleTimeMs: 0, nodeEndpoints: [] });
  },
});

/** The error for a whole topic, after auto-creating it if it is missing and that is allowed. */
async function topicProblem(broker: BrokerContext, name: string): Promise<number> {
  if (broker.image().topic(name)) return ErrorCode.NONE;
  if (topicNameProblem(name) !== undefined) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  try {
    if (await broker.topics.autoCreate(name)) return ErrorCode.NONE;
  } catch (error) {
    broker.logger.warn({ err: error, topic: name }, 'auto-creating a topic on produce failed');
  }
  return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}

async function producePartition(
  broker: BrokerContext,
  topic: string,
  data: ProduceRequestPartitionProduceData,
  turn: AppendTurn,
): Promise<ProduceResponsePartitionProduceResponse> {
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    turn.settle();
  };
  try {
    return await appendPartition(broker, topic, data, turn.ready, settle);
  } finally {
    settle();
  }
}

async function appendPartition(
  broker: BrokerContext,
  topic: string,
  data: ProduceRequestPartitionProduceData,
  turn: Promise<void>,
  issued: () => void,
): Promise<ProduceResponsePartitionProduceResponse> {
  const found = lookupPartition(broker, broker.image(), topic, data.index);
  if (!found.ok) return partitionError(data.index, found.errorCode);
  const { log, partition } = found;
  if (data.records === null) return partitionError(data.index, ErrorCode.CORRUPT_MESSAGE, 'null records');

  // A view of the request frame, not a copy: append rewrites baseOffset and partitionLeaderEpoch
  // (LogAppendTime: also maxTimestamp and the CRC) in place. That is safe because the frame is
  // this request's own bytes (a socket chunk, or a buffer FrameDecoder joined), which nothing
  // reuses or reads after this handler, and the storage layer copies or writes them out.
  const records = data.records;

  const validation = await validateRecords(records, validationRules(log.options), Date.now());
  if (!validation.ok) {
    return {
      ...partitionError(data.index, validation.errorCode, validation.errorMessage),
      recordErrors: validation.recordErrors.map((error) => ({
        batchIndex: error.batchIndex,
        batchIndexErrorMessage: error.message,
      })),
    };
  }
  await turn;
  // Idempotent producers: checked in append order, so right before the append is issued.
  const sequence = producerStatesOf(broker).check(log, records);
  if (sequence.kind === 'error') return partitionError(data.index, sequence.errorCode, sequence.message);
  if (sequence.kind === 'duplicate') return duplicateAnswer(log, data.index, await sequence.baseOffset);
  try {
    const appending = log.append(records, { leaderEpoch: partition.leaderEpoch });
    issued();
    const result = await appending;
    sequence.appended(result.baseOffset);
    fetchWaitersOf(broker).notify(topic, data.index);
    return {
      index: data.index,
      errorCode: ErrorCode.NONE,
      baseOffset: BigInt(result.baseOffset),
      logAppendTimeMs: BigInt(result.logAppendTime),
      logStartOffset: BigInt(result.logStartOffset),
      recordErrors: [],
      errorMessage: null,
      currentLeader: NO_LEADER,
    };
  } catch (error) {
    sequence.failed();
    const errorCode = storageErrorCode(error);
    if (errorCode === undefined) {
      broker.logger.error({ err: error, topic, partition: data.index }, 'append failed unexpectedly');
      return partitionError(data.index, ErrorCode.UNKNOWN_SERVER_ERROR, 'append failed');
    }
    broker.logger.warn({ err: error, topic, partition: data.index }, 'append failed');
    return partitionError(data.index, errorCode, (error as Error).message);
  }
}

/** A retried batch already in the log: success with its first offset, as Kafka answers. */
function duplicateAnswer(
  log: { logStartOffset: number },
  index: number,
  baseOffset: number,
): ProduceResponsePartitionProduceResponse {
  // The first attempt's append failed after this retry was checked: the producer retries again.
  if (baseOffset < 0) return partitionError(index, ErrorCode.KAFKA_STORAGE_ERROR, 'the first attempt failed');
  return {
    ...partitionError(index, ErrorCode.NONE),
    baseOffset: BigInt(baseOffset),
    logStartOffset: BigInt(log.logStartOffset),
  };
}

/**
 * A request's place in its connection's append order. `ready` resolves once every earlier request
 * has issued its appends. Each partition of this request calls `settle` once: when its append is
 * issued (entered the log's queue), or when it will not append. The next request's turn comes
 * when all have settled and this turn came, so durability waits still overlap.
 */
interface AppendTurn {
  ready: Promise<void>;
  settle(): void;
}

const APPEND_ORDER = 'samsa.produce.appendOrder';

function takeAppendTurn(state: Map<string, unknown>, partitions: number): AppendTurn {
  const ready = (state.get(APPEND_ORDER) as Promise<void> | undefined) ?? Promise.resolve();
  let pending = partitions;
  let allSettled: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    allSettled = resolve;
  });
  if (pending === 0) allSettled();
  const next = Promise.all([ready, settled]).then(() => {});
  state.set(APPEND_ORDER, next);
  // Drop the chain once idle, so that a quiet connection holds nothing.
  void next.then(() => {
    if (state.get(APPEND_ORDER) === next) state.delete(APPEND_ORDER);
  });
  return {
    ready,
    settle: () => {
      pending--;
      if (pending === 0) allSettled();
    },
  };
}

/** The topic settings the validator needs; the log's options hold the full topic config. */
function validationRules(options: Partial<TopicLogOptions>): ValidationRules {
  return {
    maxMessageBytes: options.maxMessageBytes ?? 1048588,
    cleanupPolicy: options.cleanupPolicy ?? 'delete',
    messageTimestampType: options.messageTimestampType ?? 'CreateTime',
    timestampBeforeMaxMs: options.messageTimestampBeforeMaxMs ?? Number.MAX_SAFE_INTEGER,
    timestampAfterMaxMs: options.messageTimestampAfterMaxMs ?? Number.MAX_SAFE_INTEGER,
  };
}

function partitionError(
  index: number,
  errorCode: number,
  errorMessage: string | null = null,
): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n,
    recordErrors: [],
    errorMessage,
    currentLeader: NO_LEADER,
  };
}
