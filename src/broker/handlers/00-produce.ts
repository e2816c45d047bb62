/**
 * Produce (key 0), versions 0-11 advertised. v0-v2 carry the old message formats, which Samsa
 * does not store: every partition is answered with UNSUPPORTED_VERSION, as Kafka 4 does (the range
 * still starts at 0 because librdkafka before 2.11 turns compression off without it).
 * v3+: acks 0, 1 and -1 (anything else: INVALID_REQUIRED_ACKS). Each partition's batches are
 * checked by the LogValidator, copied out of the request frame and appended; the partitions of one
 * request are appended concurrently so they share group-commit fsyncs. The answer waits for the
 * appends to be durable; acks=0 gets no answer at all. Unknown topics are auto-created when
 * `auto.create.topics.enable` is on.
 * Not implemented: idempotence and transactions (batches with a producer id are stored as
 * received), recompression to the topic's compression.type, quotas (throttle time 0).
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
          topic.partitionData.map((partition) =>
            topicError !== ErrorCode.NONE
              ? partitionError(partition.index, topicError)
              : producePartition(broker, topic.name, partition),
          ),
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
): Promise<ProduceResponsePartitionProduceResponse> {
  const found = lookupPartition(broker, broker.image(), topic, data.index);
  if (!found.ok) return partitionError(data.index, found.errorCode);
  const { log, partition } = found;
  if (data.records === null) return partitionError(data.index, ErrorCode.CORRUPT_MESSAGE, 'null records');

  // The request's bytes may be a view of a socket chunk; append rewrites offsets in place.
  const records = Buffer.allocUnsafe(data.records.length);
  data.records.copy(records);

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
  try {
    const result = await log.append(records, { leaderEpoch: partition.leaderEpoch });
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
    const errorCode = storageErrorCode(error);
    if (errorCode === undefined) {
      broker.logger.error({ err: error, topic, partition: data.index }, 'append failed unexpectedly');
      return partitionError(data.index, ErrorCode.UNKNOWN_SERVER_ERROR, 'append failed');
    }
    broker.logger.warn({ err: error, topic, partition: data.index }, 'append failed');
    return partitionError(data.index, errorCode, (error as Error).message);
  }
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
