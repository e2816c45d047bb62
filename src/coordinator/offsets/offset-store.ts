import { ClassicGroup } from '../group/classic-group.js';
import type { GroupContext } from '../group/context.js';
import { GroupErrorCode, storageErrorCode } from '../group/error-codes.js';
import type { Rebalancer } from '../group/rebalancer.js';
import type { CommittedOffset } from './group-offsets.js';
import type { CoordinatorRecord } from './group-storage.js';
import { encodeGroupMetadataKey, encodeOffsetCommitKey, encodeOffsetCommitValue } from './records.js';
import type {
  FetchedOffset,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteResponse,
  OffsetDeleteTopicRequest,
  OffsetFetchResponse,
  OffsetFetchTopicRequest,
} from './types.js';

/**
 * Committed offsets of the classic groups: OffsetCommit with Kafka's membership checks,
 * OffsetFetch, OffsetDelete, and the expiry of offsets of groups nobody consumes with.
 *
 * Offsets live in their group (`ClassicGroup.offsets`) and reach memory only after their records
 * are durable in GroupStorage; a commit in flight makes a `requireStable` fetch of that partition
 * answer UNSTABLE_OFFSET_COMMIT.
 */
export class OffsetStore {
  constructor(
    private readonly context: GroupContext,
    private readonly rebalancer: Rebalancer,
  ) {}

  async commitOffsets(request: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const all = (errorCode: number): OffsetCommitResponse => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          errorCode,
        })),
      })),
    });
    const { groupId, memberId } = request;
    const generationId = request.generationIdOrMemberEpoch;
    const groupInstanceId = request.groupInstanceId ?? null;
    const invalid = this.context.validate(groupId, true);
    if (invalid !== null) return all(invalid);
    const consumerGroup = this.context.consumerGroups?.get(groupId);
    if (consumerGroup) {
      // KIP-848: member id and member epoch are checked by the consumer group; the offsets are
      // kept here, in a group without protocol type.
      const rejected = consumerGroup.validateOffsetCommit(memberId, generationId);
      if (rejected !== null) return all(rejected);
      let holder = this.context.groups.get(groupId);
      if (!holder || holder.is('Dead')) {
        holder = new ClassicGroup(groupId, this.context.now());
        this.context.groups.set(groupId, holder);
      }
      return this.writeOffsets(holder, request);
    }
    let group = this.context.groups.get(groupId);
    if (!group) {
      // Only a consumer outside group management may commit for a group nobody joined; a
      // generation means a member of a group that no longer exists.
      if (generationId >= 0) return all(GroupErrorCode.ILLEGAL_GENERATION);
      group = new ClassicGroup(groupId, this.context.now());
      this.context.groups.set(groupId, group);
    }
    const rejected = validateCommit(group, generationId, memberId, groupInstanceId);
    if (rejected !== null) return all(rejected);
    switch (group.state) {
      case 'CompletingRebalance':
        // The member has the new generation but not its assignment yet: let it finish first.
        return all(GroupErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
      case 'PreparingRebalance':
        // Commits stay allowed while preparing; the heartbeat tells the member to rejoin.
        this.rebalancer.scheduleSession(group, group.get(memberId));
        break;
      default:
        break;
    }
    return this.writeOffsets(group, request);
  }

  private async writeOffsets(
    group: ClassicGroup,
    request: OffsetCommitRequest,
  ): Promise<OffsetCommitResponse> {
    const now = this.context.now();
    const retention = request.retentionTimeMs ?? -1;
    const maxBytes = this.context.config.offsetMetadataMaxBytes;
    const records: CoordinatorRecord[] = [];
    const accepted: { topic: string; partition: number; value: CommittedOffset }[] = [];
    const errors = new Map<string, number>();
    for (const topic of request.topics) {
      for (const partition of topic.partitions) {
        const metadata = partition.committedMetadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > maxBytes) {
          errors.set(
            partitionKey(topic.name, partition.partitionIndex),
            GroupErrorCode.OFFSET_METADATA_TOO_LARGE,
          );
          continue;
        }
        const value: CommittedOffset = {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch ?? -1,
          metadata,
          commitTimestamp: now,
          expireTimestamp: retention >= 0 ? now + retention : null,
        };
        accepted.push({ topic: topic.name, partition: partition.partitionIndex, value });
        records.push({
          key: encodeOffsetCommitKey(group.groupId, topic.name, partition.partitionIndex),
          value: encodeOffsetCommitValue(value),
        });
      }
    }
    if (records.length > 0) {
      for (const entry of accepted) group.offsets.beginCommit(entry.topic, entry.partition);
      let failure: number | null = null;
      try {
        await this.context.track(this.context.storage.append(records, group.groupId));
      } catch (error) {
        failure = storageErrorCode(error, true);
      } finally {
        for (const entry of accepted) group.offsets.endCommit(entry.topic, entry.partition);
      }
      for (const entry of accepted) {
        if (failure === null) group.offsets.set(entry.topic, entry.partition, entry.value);
        else errors.set(partitionKey(entry.topic, entry.partition), failure);
      }
    }
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          errorCode: errors.get(partitionKey(topic.name, partition.partitionIndex)) ?? GroupErrorCode.NONE,
        })),
      })),
    };
  }

  /**
   * OffsetFetch; `topics` null means every committed offset of the group. `member` (OffsetFetch
   * v9) is checked against a KIP-848 consumer group's members and epochs.
   */
  fetchOffsets(
    groupId: string,
    topics: OffsetFetchTopicRequest[] | null,
    requireStable = false,
    member?: { memberId: string | null; memberEpoch: number },
  ): OffsetFetchResponse {
    const invalid = this.context.validate(groupId, true);
    if (invalid !== null) return { errorCode: invalid, topics: [] };
    const consumerGroup = member ? this.context.consumerGroups?.get(groupId) : undefined;
    if (consumerGroup && member) {
      const rejected = consumerGroup.validateOffsetFetch(member.memberId, member.memberEpoch);
      if (rejected !== null) return { errorCode: rejected, topics: [] };
    }
    const group = this.context.groups.get(groupId);
    const known = group && !group.is('Dead') ? group : undefined;
    const wanted =
      topics ??
      (known
        ? byTopic([...known.offsets.entries()].map((entry) => [entry.topic, entry.partition] as const))
        : []);
    return {
      errorCode: GroupErrorCode.NONE,
      topics: wanted.map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex): FetchedOffset => {
          if (known && requireStable && known.offsets.hasPendingCommit(topic.name, partitionIndex)) {
            return noOffset(partitionIndex, GroupErrorCode.UNSTABLE_OFFSET_COMMIT);
          }
          const committed = known?.offsets.get(topic.name, partitionIndex);
          if (!committed) return noOffset(partitionIndex, GroupErrorCode.NONE);
          return {
            partitionIndex,
            committedOffset: committed.offset,
            committedLeaderEpoch: committed.leaderEpoch,
            metadata: committed.metadata,
            errorCode: GroupErrorCode.NONE,
          };
        }),
      })),
    };
  }

  /**
   * OffsetDelete: allowed for an Empty group, and for a consumer group's topics it is not
   * subscribed to (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
   */
  async deleteOffsets(groupId: string, topics: OffsetDeleteTopicRequest[]): Promise<OffsetDeleteResponse> {
    const invalid = this.context.validate(groupId, true);
    if (invalid !== null) return { errorCode: invalid, topics: [] };
    const consumerGroup = this.context.consumerGroups?.get(groupId);
    const group = this.context.groups.get(groupId);
    if (!group || group.is('Dead')) {
      if (!consumerGroup) return { errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
      // A consumer group that never committed: nothing to delete.
      const none = topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => ({
          partitionIndex,
          errorCode: consumerGroup.isSubscribedToTopic(topic.name)
            ? GroupErrorCode.GROUP_SUBSCRIBED_TO_TOPIC
            : GroupErrorCode.NONE,
        })),
      }));
      return { errorCode: GroupErrorCode.NONE, topics: none };
    }
    if (!consumerGroup && !group.is('Empty') && !group.isConsumerGroup)
      return { errorCode: GroupErrorCode.NON_EMPTY_GROUP, topics: [] };
    const deletable: [string, number][] = [];
    const results = topics.map((topic) => {
      const subscribed = consumerGroup
        ? consumerGroup.isSubscribedToTopic(topic.name)
        : !group.is('Empty') && group.isSubscribedToTopic(topic.name);
      return {
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => {
          if (subscribed) return { partitionIndex, errorCode: GroupErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          deletable.push([topic.name, partitionIndex]);
          return { partitionIndex, errorCode: GroupErrorCode.NONE };
        }),
      };
    });
    const removed = deletable.filter(([topic, partition]) => group.offsets.delete(topic, partition));
    await this.writeTombstones(group, removed, false);
    return { errorCode: GroupErrorCode.NONE, topics: results };
  }

  /**
   * Expires offsets per offsets.retention: for a group with members gone (Empty), once the group
   * has been empty for the retention period; for a consumer outside group management, per offset
   * from its commit; for a Stable consumer group, offsets of topics it no longer subscribes to.
   * Commits that asked for their own retention expire at their own deadline. An Empty group left
   * without offsets is removed. Returns the number of offsets removed.
   */
  async expireOffsets(): Promise<number> {
    if (this.context.status !== 'active') return 0;
    const now = this.context.now();
    const retention = this.context.config.offsetsRetentionMs;
    let removedCount = 0;
    const writes: Promise<void>[] = [];
    for (const group of [...this.context.groups.values()]) {
      let base: ((offset: CommittedOffset) => number) | null = null;
      let keep: { has(topic: string): boolean } = new Set<string>();
      const consumerGroup = this.context.consumerGroups?.get(group.groupId);
      if (consumerGroup && !consumerGroup.isEmpty) {
        // A KIP-848 group with members keeps the offsets of the topics it subscribes to.
        base = (offset) => offset.commitTimestamp;
        keep = { has: (topic) => consumerGroup.isSubscribedToTopic(topic) };
      } else if (group.protocolType !== null && group.is('Empty')) {
        base = (offset) => group.stateTimestamp ?? offset.commitTimestamp;
      } else if (group.isConsumerGroup && group.subscribedTopics !== null && group.is('Stable')) {
        base = (offset) => offset.commitTimestamp;
        keep = group.subscribedTopics;
      } else if (group.protocolType === null) {
        base = (offset) => offset.commitTimestamp;
      }
      const expired: [string, number][] = [];
      if (base !== null) {
        for (const { topic, partition, value } of group.offsets.entries()) {
          if (keep.has(topic) || group.offsets.hasPendingCommit(topic, partition)) continue;
          const due =
            value.expireTimestamp !== null ? now >= value.expireTimestamp : now - base(value) >= retention;
          if (due) expired.push([topic, partition]);
        }
      }
      for (const [topic, partition] of expired) group.offsets.delete(topic, partition);
      removedCount += expired.length;
      const dropGroup =
        group.is('Empty') &&
        group.offsets.size === 0 &&
        !group.offsets.hasPendingCommits &&
        group.pendingMembers.size === 0;
      if (dropGroup) this.forgetGroup(group);
      if (expired.length > 0 || dropGroup) writes.push(this.writeTombstones(group, expired, dropGroup));
    }
    await Promise.all(writes);
    return removedCount;
  }

  /** DeleteGroups for an Empty group: it becomes Dead and goes with its offsets. */
  async deleteGroup(group: ClassicGroup): Promise<void> {
    const offsets = [...group.offsets.entries()].map(
      (entry) => [entry.topic, entry.partition] as [string, number],
    );
    group.offsets.clear();
    this.forgetGroup(group);
    await this.writeTombstones(group, offsets, true);
  }

  private forgetGroup(group: ClassicGroup): void {
    group.transitionTo('Dead', this.context.now());
    this.rebalancer.cancelGroupTimers(group);
    if (this.context.groups.get(group.groupId) === group) this.context.groups.delete(group.groupId);
  }

  /**
   * Tombstones for removed offsets and, for a removed group that ever had a generation, for its
   * metadata (a group used only for offsets never wrote any). Failures are logged: the offsets
   * are gone from memory either way and the next expiry pass does not see them again.
   */
  private async writeTombstones(
    group: ClassicGroup,
    offsets: [string, number][],
    groupGone: boolean,
  ): Promise<void> {
    const records: CoordinatorRecord[] = offsets.map(([topic, partition]) => ({
      key: encodeOffsetCommitKey(group.groupId, topic, partition),
      value: null,
    }));
    if (groupGone && group.generationId > 0)
      records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    if (records.length === 0) return;
    try {
      await this.context.track(this.context.storage.append(records, group.groupId));
    } catch (error) {
      this.context.logger.warn(`group ${group.groupId}: writing tombstones failed: ${String(error)}`);
    }
  }
}

/**
 * OffsetCommit's membership checks, as Kafka: a request naming a generation, member or instance
 * must come from the current generation of a current member; an anonymous one (generation -1, no
 * member id) is accepted only while the group has no members.
 */
function validateCommit(
  group: ClassicGroup,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null,
): number | null {
  if (group.is('Dead')) return GroupErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return GroupErrorCode.FENCED_INSTANCE_ID;
    if (!group.has(memberId)) return GroupErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return GroupErrorCode.ILLEGAL_GENERATION;
    return null;
  }
  if (!group.is('Empty')) return GroupErrorCode.UNKNOWN_MEMBER_ID;
  return null;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function noOffset(partitionIndex: number, errorCode: number): FetchedOffset {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode };
}

function byTopic(entries: readonly (readonly [string, number])[]): OffsetFetchTopicRequest[] {
  const topics = new Map<string, number[]>();
  for (const [topic, partition] of entries) {
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = []));
    partitions.push(partition);
  }
  return [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
