/**
 * Keeps KIP-848 groups durable in GroupStorage (`__consumer_offsets`), the same storage as classic
 * groups and committed offsets.
 *
 * Writing: after every change the coordinator calls `persist(group)`. The records a group should
 * have in the log (see records.ts) are computed and compared with what was last written for it;
 * only keys whose value changed are appended, and keys that should no longer exist (a member that
 * left, a deleted group) get tombstones. One group's writes are appended one after the other, each
 * as one batch, so the log never holds half of a change. A failed write leaves the keys it carried
 * "unknown", so the next change writes them again.
 *
 * Loading: `replay` takes the records in log order (last value per key wins, tombstones delete)
 * and `restore` builds the groups with their members, epochs, target and current assignments.
 */

import type { CoordinatorRecord, GroupStorage } from '../offsets/group-storage.js';
import { EMPTY_ASSIGNMENT } from './assignment.js';
import { ConsumerGroup } from './consumer-group.js';
import { ConsumerGroupMember } from './member.js';
import {
  type ConsumerGroupRecord,
  consumerGroupRecords as codec,
  decodeConsumerGroupRecord,
  RecordType,
  type StoredCurrentAssignment,
  type StoredMemberMetadata,
} from './records.js';

/** A key written for a group: its value as written, or UNKNOWN after a failed write. */
const UNKNOWN = Symbol('unknown');
type Written = Map<string, { key: Buffer; value: Buffer | typeof UNKNOWN }>;

/** The records `group` should have in the log, by key (hex), group-level keys first. */
function recordsOf(group: ConsumerGroup): Map<string, { key: Buffer; value: Buffer }> {
  const records = new Map<string, { key: Buffer; value: Buffer }>();
  const put = (key: Buffer, value: Buffer) => records.set(key.toString('hex'), { key, value });
  put(codec.groupMetadataKey(group.groupId), codec.groupMetadataValue(group.groupEpoch));
  put(
    codec.targetAssignmentMetadataKey(group.groupId),
    codec.targetAssignmentMetadataValue(group.assignmentEpoch),
  );
  for (const member of group.members.values()) {
    put(
      codec.memberMetadataKey(group.groupId, member.memberId),
      codec.memberMetadataValue({
        instanceId: member.instanceId,
        rackId: member.rackId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        subscribedTopicNames: [...member.subscribedTopicNames],
        subscribedTopicRegex: member.subscribedTopicRegex,
        rebalanceTimeoutMs: member.rebalanceTimeoutMs,
        serverAssignor: member.serverAssignor,
      }),
    );
    put(
      codec.targetAssignmentMemberKey(group.groupId, member.memberId),
      codec.targetAssignmentMemberValue(group.targetOf(member.memberId)),
    );
    put(
      codec.currentAssignmentKey(group.groupId, member.memberId),
      codec.currentAssignmentValue({
        memberEpoch: member.memberEpoch,
        previousMemberEpoch: member.previousMemberEpoch,
        state: member.state,
        assigned: member.assigned,
        pendingRevocation: member.pendingRevocation,
      }),
    );
  }
  return records;
}

export interface PersistenceOptions {
  storage: GroupStorage | undefined;
  /** Maps a failed append to the error code the member gets. */
  errorCode: (error: unknown) => number;
  onWriteError?: (groupId: string, error: unknown) => void;
}

export class ConsumerGroupPersistence {
  private readonly written = new Map<string, Written>();
  private readonly writes = new Map<string, Promise<number>>();

  constructor(private readonly options: PersistenceOptions) {}

  /**
   * Appends what changed in `group` since its last write (everything, when `deleted`, as
   * tombstones). Resolves with 0 once that and every earlier write of the group are durable, or
   * with the error code of a failed write.
   */
  persist(group: ConsumerGroup, deleted = false): Promise<number> {
    const { storage } = this.options;
    if (storage === undefined) return Promise.resolve(0);
    const groupId = group.groupId;
    const records = this.diff(groupId, deleted ? new Map() : recordsOf(group));
    const previous = this.writes.get(groupId);
    if (records.length === 0) return previous?.then(() => 0) ?? Promise.resolve(0);
    const write = (previous ?? Promise.resolve(0))
      .then(() => storage.append(records, groupId))
      .then(
        () => 0,
        (error: unknown) => {
          this.options.onWriteError?.(groupId, error);
          let written = this.written.get(groupId);
          if (written === undefined) this.written.set(groupId, (written = new Map()));
          for (const record of records)
            written.set(record.key.toString('hex'), { key: record.key, value: UNKNOWN });
          return this.options.errorCode(error);
        },
      );
    this.writes.set(groupId, write);
    void write.then(() => {
      if (this.writes.get(groupId) === write) this.writes.delete(groupId);
    });
    return write;
  }

  /** Resolves when every write issued so far has finished (for a clean stop and for tests). */
  async drain(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  /** Marks what a load found as written, so the first change after it writes only the difference. */
  loaded(group: ConsumerGroup): void {
    const written: Written = new Map();
    for (const [hex, record] of recordsOf(group)) written.set(hex, record);
    this.written.set(group.groupId, written);
  }

  clear(): void {
    this.written.clear();
  }

  /** The records that bring the log from what was written to `wanted`; updates what was written. */
  private diff(groupId: string, wanted: Map<string, { key: Buffer; value: Buffer }>): CoordinatorRecord[] {
    const written = this.written.get(groupId) ?? new Map();
    const puts: CoordinatorRecord[] = [];
    const memberTombstones: CoordinatorRecord[] = [];
    const groupTombstones: CoordinatorRecord[] = [];
    for (const [hex, record] of wanted) {
      const before = written.get(hex)?.value;
      if (before !== UNKNOWN && before !== undefined && before.equals(record.value)) continue;
      puts.push({ key: record.key, value: record.value });
    }
    for (const [hex, record] of written) {
      if (wanted.has(hex)) continue;
      const type = record.key.readInt16BE(0);
      const isGroupLevel = type === RecordType.GroupMetadata || type === RecordType.TargetAssignmentMetadata;
      (isGroupLevel ? groupTombstones : memberTombstones).push({ key: record.key, value: null });
    }
    if (wanted.size === 0) this.written.delete(groupId);
    else this.written.set(groupId, new Map(wanted));
    // A deleted group's own keys go last, after its members' tombstones, as Kafka writes them.
    groupTombstones.sort((a, b) => b.key.readInt16BE(0) - a.key.readInt16BE(0));
    return [...puts, ...memberTombstones, ...groupTombstones];
  }
}

interface ReplayedMember {
  metadata?: StoredMemberMetadata;
  target?: ReplayedTarget;
  current?: StoredCurrentAssignment;
}
type ReplayedTarget = Extract<ConsumerGroupRecord, { type: 7 }>['value'];

interface ReplayedGroup {
  epoch?: number;
  assignmentEpoch?: number;
  members: Map<string, ReplayedMember>;
}

/** Rebuilds consumer groups from their records, in log order. */
export class ConsumerGroupReplay {
  private readonly groups = new Map<string, ReplayedGroup>();

  /** Applies one record of type 3-8; throws on a malformed one. */
  apply(record: CoordinatorRecord): void {
    const decoded = decodeConsumerGroupRecord(record);
    if (decoded.type === RecordType.PartitionMetadata) return;
    let group = this.groups.get(decoded.groupId);
    if (decoded.type === RecordType.GroupMetadata && decoded.value === undefined) {
      this.groups.delete(decoded.groupId);
      return;
    }
    if (group === undefined) this.groups.set(decoded.groupId, (group = { members: new Map() }));
    switch (decoded.type) {
      case RecordType.GroupMetadata:
        group.epoch = decoded.value?.epoch;
        return;
      case RecordType.TargetAssignmentMetadata:
        group.assignmentEpoch = decoded.value?.assignmentEpoch;
        return;
      default: {
        let member = group.members.get(decoded.memberId);
        if (member === undefined) group.members.set(decoded.memberId, (member = {}));
        if (decoded.type === RecordType.MemberMetadata) member.metadata = decoded.value;
        else if (decoded.type === RecordType.TargetAssignmentMember) member.target = decoded.value;
        else member.current = decoded.value;
        if (member.metadata === undefined && member.target === undefined && member.current === undefined) {
          group.members.delete(decoded.memberId);
        }
      }
    }
  }

  /** The groups as the records left them (a group needs its metadata record; a member its own). */
  restore(defaultAssignor: string): ConsumerGroup[] {
    const groups: ConsumerGroup[] = [];
    for (const [groupId, replayed] of this.groups) {
      if (replayed.epoch === undefined) continue;
      const group = new ConsumerGroup(groupId, defaultAssignor);
      group.groupEpoch = replayed.epoch;
      group.assignmentEpoch = replayed.assignmentEpoch ?? 0;
      for (const [memberId, stored] of replayed.members) {
        if (stored.metadata === undefined) continue;
        const member = new ConsumerGroupMember(memberId);
        const metadata = stored.metadata;
        member.instanceId = metadata.instanceId;
        member.rackId = metadata.rackId;
        member.clientId = metadata.clientId;
        member.clientHost = metadata.clientHost;
        member.subscribedTopicNames = metadata.subscribedTopicNames;
        member.subscribedTopicRegex = metadata.subscribedTopicRegex;
        member.subscribedPattern = compilePattern(metadata.subscribedTopicRegex);
        member.rebalanceTimeoutMs = metadata.rebalanceTimeoutMs;
        member.serverAssignor = metadata.serverAssignor;
        const current = stored.current;
        if (current !== undefined) {
          member.memberEpoch = current.memberEpoch;
          member.previousMemberEpoch = current.previousMemberEpoch;
          member.state = current.state;
          member.assigned = current.assigned;
          member.pendingRevocation = current.pendingRevocation;
        }
        group.add(member);
        group.targetAssignment.set(memberId, stored.target ?? EMPTY_ASSIGNMENT);
      }
      groups.push(group);
    }
    return groups;
  }
}

/** The regex a member subscribed with, compiled as the coordinator does (null if it does not compile). */
function compilePattern(regex: string | null): RegExp | null {
  if (regex === null || regex === '') return null;
  try {
    return new RegExp(`^(?:${regex})$`, 'u');
  } catch {
    return null;
  }
}
