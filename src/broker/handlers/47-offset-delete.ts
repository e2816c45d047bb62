/**
 * OffsetDelete (key 47), version 0 (KIP-496). Removes committed offsets of an Empty group, or of
 * topics a consumer group does not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC otherwise), writing
 * tombstones to __consumer_offsets. Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
 * Not implemented: ACLs.
 */
import type { OffsetDeleteTopicRequest } from '../../coordinator/offsets/types.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const offsetDeleteHandler = defineHandler({
  api: Apis.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, context) {
    const { broker } = context;
    const image = broker.image();
    const known: OffsetDeleteTopicRequest[] = [];
    for (const topic of request.topics) {
      const count = image.topic(topic.name)?.partitions.length ?? 0;
      const partitions = topic.partitions
        .filter((partition) => partition.partitionIndex >= 0 && partition.partitionIndex < count)
        .map((partition) => ({ partitionIndex: partition.partitionIndex }));
      if (partitions.length > 0) known.push({ name: topic.name, partitions });
    }
    const result = await broker.groups.offsets.deleteOffsets(request.groupId, known);
    if (result.errorCode !== ErrorCode.NONE) {
      return Apis.OffsetDelete.response.create({
        errorCode: result.errorCode,
        throttleTimeMs: 0,
        topics: [],
      });
    }
    const errors = new Map<string, number>();
    for (const topic of result.topics) {
      for (const partition of topic.partitions) {
        errors.set(`${topic.name}\u0000${partition.partitionIndex}`, partition.errorCode);
      }
    }
    return Apis.OffsetDelete.response.create({
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => ({
          partitionIndex,
          errorCode:
            errors.get(`${topic.name}\u0000${partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    });
  },
});
