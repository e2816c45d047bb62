/**
 * OffsetCommit (key 8), versions 2-9 (Kafka 4 has dropped v0-1, whose offsets lived in
 * ZooKeeper). A commit is stored in __consumer_offsets before it is acknowledged. v2-4 may ask for
 * a retention time of their own (-1: offsets.retention.minutes); v6+ carries the leader epoch; v7+
 * group.instance.id. Members are checked as Kafka does (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * REBALANCE_IN_PROGRESS); a consumer outside group management commits with generation -1 and no
 * member id. Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION and are not stored.
 * For a KIP-848 consumer group, v9's generationIdOrMemberEpoch is the member epoch and must be the
 * member's current one (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID otherwise).
 * Not implemented: ACLs.
 */
import type { OffsetCommitTopic } from '../../coordinator/offsets/types.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const offsetCommitHandler = defineHandler({
  api: Apis.OffsetCommit,
  minVersion: 2,
  maxVersion: 9,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const image = broker.image();
    const unknown = new Set<string>();
    const known: OffsetCommitTopic[] = [];
    for (const topic of request.topics) {
      const partitionCount = image.topic(topic.name)?.partitions.length ?? 0;
      const partitions = [];
      for (const partition of topic.partitions) {
        if (partition.partitionIndex < 0 || partition.partitionIndex >= partitionCount) {
          unknown.add(`${topic.name}\u0000${partition.partitionIndex}`);
          continue;
        }
        partitions.push({
          partitionIndex: partition.partitionIndex,
          committedOffset: Number(partition.committedOffset),
          committedLeaderEpoch: apiVersion >= 6 ? partition.committedLeaderEpoch : -1,
          committedMetadata: partition.committedMetadata,
        });
      }
      if (partitions.length > 0) known.push({ name: topic.name, partitions });
    }
    const stored = new Map<string, number>();
    if (known.length > 0) {
      const response = await broker.groups.offsets.commitOffsets({
        groupId: request.groupId,
        generationIdOrMemberEpoch: request.generationIdOrMemberEpoch,
        memberId: request.memberId,
        groupInstanceId: apiVersion >= 7 ? request.groupInstanceId : null,
        retentionTimeMs: apiVersion <= 4 ? Number(request.retentionTimeMs) : -1,
        topics: known,
      });
      for (const topic of response.topics) {
        for (const partition of topic.partitions) {
          stored.set(`${topic.name}\u0000${partition.partitionIndex}`, partition.errorCode);
        }
      }
    }
    return Apis.OffsetCommit.response.create({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => {
          const key = `${topic.name}\u0000${partitionIndex}`;
          const errorCode = unknown.has(key)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : (stored.get(key) ?? ErrorCode.NONE);
          return { partitionIndex, errorCode };
        }),
      })),
    });
  },
});
