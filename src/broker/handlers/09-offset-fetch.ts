/**
 * OffsetFetch (key 9), versions 1-9. A partition without a committed offset answers offset -1.
 * v2+ accepts a null topic list (every committed offset of the group) and has a response-level
 * error; in v1 a group error is repeated on each partition. v5+ returns the leader epoch; v7+
 * honours require_stable (UNSTABLE_OFFSET_COMMIT while a commit to the partition is being
 * written); v8+ asks for several groups at once; v9 carries the member id and epoch, checked
 * for KIP-848 consumer groups (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH).
 * Not implemented: v0 (ZooKeeper offsets), ACLs.
 */
import type { OffsetFetchResponse as StoredOffsets } from '../../coordinator/offsets/types.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { OffsetFetchResponseOffsetFetchResponseTopic } from '../../protocol/generated/offset-fetch-response.js';
import type { BrokerContext } from '../context.js';
import { defineHandler } from './handler.js';

export const offsetFetchHandler = defineHandler({
  api: Apis.OffsetFetch,
  minVersion: 1,
  maxVersion: 9,
  handle(request, context) {
    const { broker, apiVersion } = context;
    const requireStable = apiVersion >= 7 && request.requireStable;
    if (apiVersion >= 8) {
      return Apis.OffsetFetch.response.create({
        throttleTimeMs: 0,
        groups: request.groups.map((group) => {
          const member =
            apiVersion >= 9 ? { memberId: group.memberId, memberEpoch: group.memberEpoch } : undefined;
          const fetched = fetch(broker, group.groupId, group.topics, requireStable, member);
          return { groupId: group.groupId, errorCode: fetched.errorCode, topics: toWire(fetched) };
        }),
      });
    }
    const fetched = fetch(broker, request.groupId, request.topics, requireStable);
    if (apiVersion < 2 && fetched.errorCode !== ErrorCode.NONE) {
      return Apis.OffsetFetch.response.create({
        throttleTimeMs: 0,
        topics: (request.topics ?? []).map((topic) => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: fetched.errorCode,
          })),
        })),
      });
    }
    return Apis.OffsetFetch.response.create({
      throttleTimeMs: 0,
      errorCode: fetched.errorCode,
      topics: toWire(fetched),
    });
  },
});

function fetch(
  broker: BrokerContext,
  groupId: string,
  topics: readonly { name: string; partitionIndexes: number[] }[] | null,
  requireStable: boolean,
  member?: { memberId: string | null; memberEpoch: number },
): StoredOffsets {
  return broker.groups.offsets.fetchOffsets(
    groupId,
    topics === null
      ? null
      : topics.map((topic) => ({ name: topic.name, partitionIndexes: topic.partitionIndexes })),
    requireStable,
    member,
  );
}

function toWire(fetched: StoredOffsets): OffsetFetchResponseOffsetFetchResponseTopic[] {
  return fetched.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => ({
      partitionIndex: partition.partitionIndex,
      committedOffset: BigInt(partition.committedOffset),
      committedLeaderEpoch: partition.committedLeaderEpoch,
      metadata: partition.metadata,
      errorCode: partition.errorCode,
    })),
  }));
}
