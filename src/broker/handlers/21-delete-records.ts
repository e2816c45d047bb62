/**
 * DeleteRecords (key 21), versions 0-2. Moves a partition's log start offset up to `offset`
 * (-1: the high watermark) and deletes the segments wholly below it; the response's low watermark
 * is the new log start offset. An offset above the high watermark (or below -1) is
 * OFFSET_OUT_OF_RANGE, an offset below the current start leaves it unchanged. Unknown topics and
 * partitions are UNKNOWN_TOPIC_OR_PARTITION; a partition this broker has no log for is
 * NOT_LEADER_OR_FOLLOWER.
 * Not implemented: waiting for followers to move their start offsets (single node); ACLs;
 * timeout_ms is ignored.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import type { DeleteRecordsResponseDeleteRecordsTopicResult } from '../../protocol/generated/delete-records-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerContext } from '../context.js';
import { AdminError, errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';

export const deleteRecordsHandler = defineHandler({
  api: Apis.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const { broker } = context;
    const topics: DeleteRecordsResponseDeleteRecordsTopicResult[] = [];
    for (const topic of request.topics) {
      const result: DeleteRecordsResponseDeleteRecordsTopicResult = { name: topic.name, partitions: [] };
      for (const partition of topic.partitions) {
        try {
          const lowWatermark = await deleteRecords(
            broker,
            topic.name,
            partition.partitionIndex,
            partition.offset,
          );
          result.partitions.push({
            partitionIndex: partition.partitionIndex,
            lowWatermark: BigInt(lowWatermark),
            errorCode: ErrorCode.NONE,
          });
        } catch (error) {
          result.partitions.push({
            partitionIndex: partition.partitionIndex,
            lowWatermark: -1n,
            errorCode: errorResult(error, broker.logger).errorCode,
          });
        }
      }
      topics.push(result);
    }
    return Apis.DeleteRecords.response.create({ throttleTimeMs: 0, topics });
  },
});

async function deleteRecords(
  broker: BrokerContext,
  topic: string,
  partition: number,
  requestedOffset: bigint,
): Promise<number> {
  if (!broker.image().partition(topic, partition)) {
    throw new AdminError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${topic}-${partition}.`);
  }
  const log = broker.topics.log(topic, partition);
  if (!log) {
    throw new AdminError(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      `This broker has no log of ${topic}-${partition}.`,
    );
  }
  if (requestedOffset < -1n || requestedOffset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AdminError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${requestedOffset} is out of range.`);
  }
  const offset = requestedOffset === -1n ? log.highWatermark : Number(requestedOffset);
  return broker.logs.deleteRecords({ topic, partition }, offset);
}
