import { Reader, Writer } from '../../protocol/primitives/index.js';
import type { CommittedOffset } from './group-offsets.js';

/**
 * Keys and values of the __consumer_offsets topic in Kafka's own formats, so a log written by
 * Samsa reads in Kafka and back. Every key and value starts with a big-endian int16 version:
 *
 *   OffsetCommitKey v0-1:     group string, topic string, partition int32
 *   GroupMetadataKey v2:      group string
 *   OffsetCommitValue v0,v2:  offset int64, metadata string, commitTimestamp int64
 *                     v1:     ... commitTimestamp int64, expireTimestamp int64
 *                     v3:     offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
 *   GroupMetadataValue v0-3:  protocolType string, generation int32, protocol string?, leader string?,
 *                             [v2+ currentStateTimestamp int64], members int32-counted array of
 *                             memberId string, [v3+ groupInstanceId string?], clientId string,
 *                             clientHost string, [v1+ rebalanceTimeout int32], sessionTimeout int32,
 *                             subscription bytes, assignment bytes
 *
 * Strings are int16-length, bytes int32-length (null is length -1). Version 4 of both values is
 * the flexible encoding (compact lengths, tagged fields): read, never written. A deleted key has
 * a null value (tombstone).
 */

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export type CoordinatorKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string };

export interface StoredGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface StoredGroup {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  /** -1 when unknown (values before v2). */
  currentStateTimestamp: number;
  members: StoredGroupMember[];
}

export class CoordinatorRecordError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoordinatorRecordError';
  }
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Writer(64)
    .int16(OFFSET_COMMIT_KEY_VERSION)
    .string(group)
    .string(topic)
    .int32(partition)
    .toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Writer(32).int16(GROUP_METADATA_KEY_VERSION).string(group).toBuffer();
}

export function decodeKey(key: Buffer): CoordinatorKey {
  return decoding('key', () => {
    const reader = new Reader(key);
    const version = reader.int16();
    if (version === 0 || version === 1) {
      const group = reader.string();
      const topic = reader.string();
      const partition = reader.int32();
      return { type: 'offset', group, topic, partition };
    }
    if (version === 2) return { type: 'group', group: reader.string() };
    throw new CoordinatorRecordError(`unknown __consumer_offsets key version ${version}`);
  });
}

/** Version 1 keeps an explicit expiry; everything else is written as version 3. */
export function encodeOffsetCommitValue(value: CommittedOffset): Buffer {
  const writer = new Writer(64);
  if (value.expireTimestamp !== null) {
    return writer
      .int16(1)
      .int64Number(value.offset)
      .string(value.metadata)
      .int64Number(value.commitTimestamp)
      .int64Number(value.expireTimestamp)
      .toBuffer();
  }
  return writer
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64Number(value.offset)
    .int32(value.leaderEpoch)
    .string(value.metadata)
    .int64Number(value.commitTimestamp)
    .toBuffer();
}

export function decodeOffsetCommitValue(value: Buffer): CommittedOffset {
  return decoding('OffsetCommitValue', () => {
    const reader = new Reader(value);
    const version = reader.int16();
    if (version < 0 || version > 4)
      throw new CoordinatorRecordError(`unknown OffsetCommitValue version ${version}`);
    const flexible = version >= 4;
    const offset = reader.int64Number();
    const leaderEpoch = version >= 3 ? reader.int32() : -1;
    const metadata = flexible ? reader.compactString() : reader.string();
    const commitTimestamp = reader.int64Number();
    const expire = version === 1 ? reader.int64Number() : -1;
    if (flexible) reader.taggedFields();
    return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expire === -1 ? null : expire };
  });
}

export function encodeGroupMetadataValue(group: StoredGroup): Buffer {
  const writer = new Writer(256)
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(group.protocolType)
    .int32(group.generationId)
    .nullableString(group.protocolName)
    .nullableString(group.leaderId)
    .int64Number(group.currentStateTimestamp)
    .int32(group.members.length);
  for (const member of group.members) {
    writer
      .string(member.memberId)
      .nullableString(member.groupInstanceId)
      .string(member.clientId)
      .string(member.clientHost)
      .int32(member.rebalanceTimeoutMs)
      .int32(member.sessionTimeoutMs)
      .bytes(member.subscription)
      .bytes(member.assignment);
  }
  return writer.toBuffer();
}

export function decodeGroupMetadataValue(value: Buffer): StoredGroup {
  return decoding('GroupMetadataValue', () => {
    const reader = new Reader(value);
    const version = reader.int16();
    if (version < 0 || version > 4)
      throw new CoordinatorRecordError(`unknown GroupMetadataValue version ${version}`);
    const flexible = version >= 4;
    const string = () => (flexible ? reader.compactString() : reader.string());
    const nullableString = () => (flexible ? reader.compactNullableString() : reader.nullableString());
    const bytes = () => Buffer.from(flexible ? reader.compactBytes() : reader.bytes());
    const protocolType = string();
    const generationId = reader.int32();
    const protocolName = nullableString();
    const leaderId = nullableString();
    const currentStateTimestamp = version >= 2 ? reader.int64Number() : -1;
    const count = reader.arrayLength(flexible);
    const members: StoredGroupMember[] = [];
    for (let i = 0; i < count; i++) {
      const memberId = string();
      const groupInstanceId = version >= 3 ? nullableString() : null;
      const clientId = string();
      const clientHost = string();
      const rebalanceTimeout = version >= 1 ? reader.int32() : -1;
      const sessionTimeoutMs = reader.int32();
      const subscription = bytes();
      const assignment = bytes();
      if (flexible) reader.taggedFields();
      members.push({
        memberId,
        groupInstanceId,
        clientId,
        clientHost,
        rebalanceTimeoutMs: rebalanceTimeout === -1 ? sessionTimeoutMs : rebalanceTimeout,
        sessionTimeoutMs,
        subscription,
        assignment,
      });
    }
    if (flexible) reader.taggedFields();
    return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
  });
}

function decoding<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof CoordinatorRecordError) throw error;
    throw new CoordinatorRecordError(`malformed ${what}`, { cause: error });
  }
}
