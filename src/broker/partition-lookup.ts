/**
 * Finding the local log of a partition for the data-path handlers (Produce, Fetch, ListOffsets),
 * with the Kafka error code to answer when there is none.
 */
import type { MetadataImage, PartitionImage } from '../metadata/metadata-image.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { PartitionLog } from '../storage/log/partition-log.js';
import type { BrokerContext } from './context.js';

export type PartitionLookup =
  | { ok: true; log: PartitionLog; partition: PartitionImage }
  | { ok: false; errorCode: number };

/**
 * The log of `topic`/`index` if this broker leads it. `currentLeaderEpoch` (-1: not given) is
 * checked against the partition's epoch: an older one is fenced, a newer one not yet known here.
 */
export function lookupPartition(
  broker: BrokerContext,
  image: MetadataImage,
  topic: string,
  index: number,
  currentLeaderEpoch = -1,
): PartitionLookup {
  const partition = image.topic(topic)?.partitions[index];
  if (partition === undefined) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (partition.leader !== broker.brokerId) return { ok: false, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== partition.leaderEpoch) {
    return {
      ok: false,
      errorCode:
        currentLeaderEpoch < partition.leaderEpoch
          ? ErrorCode.FENCED_LEADER_EPOCH
          : ErrorCode.UNKNOWN_LEADER_EPOCH,
    };
  }
  const log = broker.topics.log(topic, index);
  if (log === undefined) return { ok: false, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  return { ok: true, log, partition };
}

/** The Kafka error code for a failure of a partition log operation. */
export function storageErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'ERR_STORAGE_IO':
    case 'ERR_STORAGE_FULL':
    case 'ERR_LOG_OFFLINE':
    case 'ERR_LOG_CLOSED':
      return ErrorCode.KAFKA_STORAGE_ERROR;
    case 'ERR_OFFSET_OUT_OF_RANGE':
      return ErrorCode.OFFSET_OUT_OF_RANGE;
    case 'ERR_CORRUPT_RECORD':
      return ErrorCode.CORRUPT_MESSAGE;
    case 'ERR_RECORD_TOO_LARGE':
      return ErrorCode.MESSAGE_TOO_LARGE;
    default:
      return undefined;
  }
}
