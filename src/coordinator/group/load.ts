import type { CommittedOffset } from '../offsets/group-offsets.js';
import type { CoordinatorRecord, GroupStorage } from '../offsets/group-storage.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  type StoredGroup,
} from '../offsets/records.js';
import { ClassicGroup } from './classic-group.js';
import { GroupMember } from './member.js';

const CONSUMER_GROUP_FIRST_TYPE = 3;
const CONSUMER_GROUP_LAST_TYPE = 8;

interface Replayed {
  group: StoredGroup | null;
  offsets: Map<string, { topic: string; partition: number; value: CommittedOffset | null }>;
}

/**
 * Rebuilds the groups from __consumer_offsets. The last record of each key wins and tombstones
 * delete. A group whose metadata lists members comes back Stable with its generation, members and
 * assignments (they keep consuming across a coordinator move and are dropped only when their
 * sessions expire); one without members comes back Empty; offsets without metadata make an Empty
 * group of a consumer outside group management.
 */
export async function replayGroups(
  storage: GroupStorage,
  now: number,
  onConsumerGroupRecord?: (record: CoordinatorRecord) => void,
): Promise<ClassicGroup[]> {
  const replayed = new Map<string, Replayed>();
  const entry = (groupId: string) => {
    let found = replayed.get(groupId);
    if (!found) replayed.set(groupId, (found = { group: null, offsets: new Map() }));
    return found;
  };
  for await (const record of storage.load()) {
    // Key types 3-8 are KIP-848 consumer groups, replayed by their own coordinator.
    const type = record.key.length >= 2 ? record.key.readInt16BE(0) : -1;
    if (type >= CONSUMER_GROUP_FIRST_TYPE && type <= CONSUMER_GROUP_LAST_TYPE) {
      onConsumerGroupRecord?.(record);
      continue;
    }
    const key = decodeKey(record.key);
    if (key.type === 'group') {
      entry(key.group).group = record.value === null ? null : decodeGroupMetadataValue(record.value);
    } else {
      const value = record.value === null ? null : decodeOffsetCommitValue(record.value);
      entry(key.group).offsets.set(`${key.topic}\u0000${key.partition}`, {
        topic: key.topic,
        partition: key.partition,
        value,
      });
    }
  }
  const groups: ClassicGroup[] = [];
  for (const [groupId, { group: stored, offsets }] of replayed) {
    const live = [...offsets.values()].filter((offset) => offset.value !== null);
    if (stored === null && live.length === 0) continue;
    const group = new ClassicGroup(groupId, now);
    if (stored !== null) restoreMetadata(group, stored);
    for (const offset of live) group.offsets.set(offset.topic, offset.partition, offset.value!);
    groups.push(group);
  }
  return groups;
}

function restoreMetadata(group: ClassicGroup, stored: StoredGroup): void {
  const protocolType = stored.protocolType === '' ? null : stored.protocolType;
  group.generationId = stored.generationId;
  group.protocolName = stored.protocolName;
  for (const saved of stored.members) {
    const member = new GroupMember(
      saved.memberId,
      saved.groupInstanceId,
      saved.clientId,
      saved.clientHost,
      saved.rebalanceTimeoutMs,
      saved.sessionTimeoutMs,
      protocolType ?? '',
      stored.protocolName === null ? [] : [{ name: stored.protocolName, metadata: saved.subscription }],
    );
    member.assignment = saved.assignment;
    group.add(member, null);
  }
  group.protocolType = protocolType;
  group.leaderId = stored.leaderId !== null && group.has(stored.leaderId) ? stored.leaderId : group.leaderId;
  const timestamp = stored.currentStateTimestamp === -1 ? null : stored.currentStateTimestamp;
  group.restoreState(group.size > 0 ? 'Stable' : 'Empty', timestamp);
  group.subscribedTopics = group.computeSubscribedTopics();
}
