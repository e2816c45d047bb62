/**
 * KIP-848 consumer groups as records of `__consumer_offsets`, in Kafka's formats, so that a log
 * written by Samsa reads in Kafka and back. A key starts with an int16 record type (Kafka calls it
 * the key version) followed by the key's fields; a value starts with an int16 value version (0)
 * followed by the flexible encoding of the value:
 *
 *   3 ConsumerGroupMetadata                group id             -> group epoch
 *   5 ConsumerGroupMemberMetadata          group id, member id  -> instance/rack/client ids,
 *                                                                  subscription, rebalance timeout,
 *                                                                  server assignor
 *   6 ConsumerGroupTargetAssignmentMetadata group id            -> assignment epoch
 *   7 ConsumerGroupTargetAssignmentMember  group id, member id  -> target partitions
 *   8 ConsumerGroupCurrentMemberAssignment group id, member id  -> member epoch, previous epoch,
 *                                                                  state, assigned and pending
 *                                                                  revocation partitions
 *
 * Type 4 (ConsumerGroupPartitionMetadata) is read and ignored: the subscribed topics' metadata is
 * taken from the cluster at load. Topic ids are stored as 16 raw bytes (the coordinator keeps
 * Kafka's base64url form). A null value deletes the key (tombstone).
 */

import {
  ConsumerGroupCurrentMemberAssignmentKey,
  ConsumerGroupCurrentMemberAssignmentValue,
  ConsumerGroupMemberMetadataKey,
  ConsumerGroupMemberMetadataValue,
  ConsumerGroupMetadataKey,
  ConsumerGroupMetadataValue,
  ConsumerGroupTargetAssignmentMemberKey,
  ConsumerGroupTargetAssignmentMemberValue,
  ConsumerGroupTargetAssignmentMetadataKey,
  ConsumerGroupTargetAssignmentMetadataValue,
} from '../../protocol/generated/internal/index.js';
import type { MessageCodec } from '../../protocol/message.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { uuidFromBytes, uuidToBytes } from '../../util/uuid.js';
import type { CoordinatorRecord } from '../offsets/group-storage.js';
import { type Assignment, assignmentOf, toTopicPartitions } from './assignment.js';
import type { MemberState } from './member.js';

export const RecordType = {
  GroupMetadata: 3,
  PartitionMetadata: 4,
  MemberMetadata: 5,
  TargetAssignmentMetadata: 6,
  TargetAssignmentMember: 7,
  CurrentMemberAssignment: 8,
} as const;

const VALUE_VERSION = 0;

/** Kafka's MemberState bytes. */
const STATE_TO_BYTE: Record<MemberState, number> = {
  stable: 0,
  unrevoked_partitions: 1,
  unreleased_partitions: 2,
};
const BYTE_TO_STATE = new Map<number, MemberState>(
  Object.entries(STATE_TO_BYTE).map(([state, value]) => [value, state as MemberState]),
);

export interface StoredMemberMetadata {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
}

export interface StoredCurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Assignment;
  pendingRevocation: Assignment;
}

/** A decoded consumer group record; `value` undefined for a tombstone. */
export type ConsumerGroupRecord =
  | { type: 3; groupId: string; value?: { epoch: number } }
  | { type: 4; groupId: string }
  | { type: 5; groupId: string; memberId: string; value?: StoredMemberMetadata }
  | { type: 6; groupId: string; value?: { assignmentEpoch: number } }
  | { type: 7; groupId: string; memberId: string; value?: Assignment }
  | { type: 8; groupId: string; memberId: string; value?: StoredCurrentAssignment };

/** The record type of a `__consumer_offsets` key: its first int16. */
export function recordTypeOf(key: Buffer): number {
  return key.length >= 2 ? key.readInt16BE(0) : -1;
}

/** Whether a key is one of the KIP-848 consumer group record types (3-8). */
export function isConsumerGroupKey(key: Buffer): boolean {
  const type = recordTypeOf(key);
  return type >= RecordType.GroupMetadata && type <= RecordType.CurrentMemberAssignment;
}

function encodeKey<T>(codec: MessageCodec<T>, type: number, key: T): Buffer {
  const writer = new Writer(64).int16(type);
  codec.encode(writer, key, type);
  return writer.toBuffer();
}

function encodeValue<T>(codec: MessageCodec<T>, value: T): Buffer {
  const writer = new Writer(128).int16(VALUE_VERSION);
  codec.encode(writer, value, VALUE_VERSION);
  return writer.toBuffer();
}

function decodeValue<T>(codec: MessageCodec<T>, value: Buffer): T {
  const reader = new Reader(value);
  const version = reader.int16();
  if (version < codec.lowestVersion || version > codec.highestVersion) {
    throw new RangeError(`unknown ${codec.name} version ${version}`);
  }
  return codec.decode(reader, version);
}

function topicPartitionsOf(assignment: Assignment): { topicId: string; partitions: number[] }[] {
  return toTopicPartitions(assignment).map((tp) => ({
    topicId: toWireUuid(tp.topicId),
    partitions: tp.partitions,
  }));
}

function assignmentFrom(stored: readonly { topicId: string; partitions: number[] }[]): Assignment {
  return assignmentOf(stored.map((tp) => [fromWireUuid(tp.topicId), tp.partitions]));
}

function toWireUuid(topicId: string): string {
  const hex = uuidToBytes(topicId).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function fromWireUuid(wire: string): string {
  return uuidFromBytes(Buffer.from(wire.replace(/-/g, ''), 'hex'));
}

export const consumerGroupRecords = {
  groupMetadataKey: (groupId: string) =>
    encodeKey(ConsumerGroupMetadataKey, RecordType.GroupMetadata, { groupId }),
  groupMetadataValue: (epoch: number) => encodeValue(ConsumerGroupMetadataValue, { epoch }),

  memberMetadataKey: (groupId: string, memberId: string) =>
    encodeKey(ConsumerGroupMemberMetadataKey, RecordType.MemberMetadata, { groupId, memberId }),
  memberMetadataValue: (member: StoredMemberMetadata) =>
    encodeValue(ConsumerGroupMemberMetadataValue, {
      ...member,
      subscribedTopicNames: [...member.subscribedTopicNames],
      classicMemberMetadata: null,
    }),

  targetAssignmentMetadataKey: (groupId: string) =>
    encodeKey(ConsumerGroupTargetAssignmentMetadataKey, RecordType.TargetAssignmentMetadata, { groupId }),
  targetAssignmentMetadataValue: (assignmentEpoch: number) =>
    encodeValue(ConsumerGroupTargetAssignmentMetadataValue, { assignmentEpoch }),

  targetAssignmentMemberKey: (groupId: string, memberId: string) =>
    encodeKey(ConsumerGroupTargetAssignmentMemberKey, RecordType.TargetAssignmentMember, {
      groupId,
      memberId,
    }),
  targetAssignmentMemberValue: (target: Assignment) =>
    encodeValue(ConsumerGroupTargetAssignmentMemberValue, { topicPartitions: topicPartitionsOf(target) }),

  currentAssignmentKey: (groupId: string, memberId: string) =>
    encodeKey(ConsumerGroupCurrentMemberAssignmentKey, RecordType.CurrentMemberAssignment, {
      groupId,
      memberId,
    }),
  currentAssignmentValue: (current: StoredCurrentAssignment) =>
    encodeValue(ConsumerGroupCurrentMemberAssignmentValue, {
      memberEpoch: current.memberEpoch,
      previousMemberEpoch: current.previousMemberEpoch,
      state: STATE_TO_BYTE[current.state],
      assignedPartitions: topicPartitionsOf(current.assigned),
      partitionsPendingRevocation: topicPartitionsOf(current.pendingRevocation),
    }),
};

/** Decodes a consumer group record (key type 3-8); throws on a malformed one. */
export function decodeConsumerGroupRecord(record: CoordinatorRecord): ConsumerGroupRecord {
  const reader = new Reader(record.key);
  const type = reader.int16();
  const value = record.value;
  switch (type) {
    case RecordType.GroupMetadata: {
      const { groupId } = ConsumerGroupMetadataKey.decode(reader, type);
      if (value === null) return { type, groupId };
      return { type, groupId, value: { epoch: decodeValue(ConsumerGroupMetadataValue, value).epoch } };
    }
    case RecordType.PartitionMetadata: {
      return { type, groupId: reader.string() };
    }
    case RecordType.MemberMetadata: {
      const { groupId, memberId } = ConsumerGroupMemberMetadataKey.decode(reader, type);
      if (value === null) return { type, groupId, memberId };
      const stored = decodeValue(ConsumerGroupMemberMetadataValue, value);
      return {
        type,
        groupId,
        memberId,
        value: {
          instanceId: stored.instanceId,
          rackId: stored.rackId,
          clientId: stored.clientId,
          clientHost: stored.clientHost,
          subscribedTopicNames: stored.subscribedTopicNames,
          subscribedTopicRegex: stored.subscribedTopicRegex,
          rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
          serverAssignor: stored.serverAssignor,
        },
      };
    }
    case RecordType.TargetAssignmentMetadata: {
      const { groupId } = ConsumerGroupTargetAssignmentMetadataKey.decode(reader, type);
      if (value === null) return { type, groupId };
      const { assignmentEpoch } = decodeValue(ConsumerGroupTargetAssignmentMetadataValue, value);
      return { type, groupId, value: { assignmentEpoch } };
    }
    case RecordType.TargetAssignmentMember: {
      const { groupId, memberId } = ConsumerGroupTargetAssignmentMemberKey.decode(reader, type);
      if (value === null) return { type, groupId, memberId };
      const stored = decodeValue(ConsumerGroupTargetAssignmentMemberValue, value);
      return { type, groupId, memberId, value: assignmentFrom(stored.topicPartitions) };
    }
    case RecordType.CurrentMemberAssignment: {
      const { groupId, memberId } = ConsumerGroupCurrentMemberAssignmentKey.decode(reader, type);
      if (value === null) return { type, groupId, memberId };
      const stored = decodeValue(ConsumerGroupCurrentMemberAssignmentValue, value);
      return {
        type,
        groupId,
        memberId,
        value: {
          memberEpoch: stored.memberEpoch,
          previousMemberEpoch: stored.previousMemberEpoch,
          // Kafka's UNKNOWN (a future state): reconciliation starts over from what it owns.
          state: BYTE_TO_STATE.get(stored.state) ?? 'unreleased_partitions',
          assigned: assignmentFrom(stored.assignedPartitions),
          pendingRevocation: assignmentFrom(stored.partitionsPendingRevocation),
        },
      };
    }
    default:
      throw new RangeError(`not a consumer group record type: ${type}`);
  }
}
