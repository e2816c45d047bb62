/**
 * Consumer lag of a group, per partition: its committed offset, the partition's high watermark
 * and log end offset, and the lag between them (what kafka-consumer-groups --describe shows).
 * Covers the partitions the group has committed offsets for and those assigned to its members
 * (from their ConsumerProtocol assignments), so a member that has not committed yet shows up.
 *
 * For the broker's own use (metrics, alerts). The CLI and UI compute the same from the wire
 * (OffsetFetch + ListOffsets latest), with `computeLag` for the arithmetic.
 */
import { CONSUMER_PROTOCOL_TYPE } from '../../coordinator/group/consumer-protocol.js';
import { computeLag } from '../../coordinator/offsets/lag.js';
import { ConsumerProtocolAssignment } from '../../protocol/generated/consumer-protocol-assignment.js';
import { Reader } from '../../protocol/primitives/reader.js';
import type { BrokerContext } from '../context.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  committedOffset: number;
  /** -1 when the partition has no local log (unknown topic, led elsewhere). */
  highWatermark: number;
  logEndOffset: number;
  /** null when there is no committed offset or no high watermark to measure against. */
  lag: number | null;
  /** The member the partition is assigned to, if any. */
  memberId: string | null;
  clientId: string | null;
}

export interface GroupLag {
  groupId: string;
  /** Kafka's state name; 'Dead' for an unknown group. */
  state: string;
  partitions: PartitionLag[];
  /** The sum of the known lags. */
  totalLag: number;
}

/** The lag of `groupId` as this broker sees it; throws nothing, unknown groups come back Dead. */
export async function groupLag(broker: BrokerContext, groupId: string): Promise<GroupLag> {
  const groups = broker.groups;
  const [described] = await groups.describeGroups([groupId]);
  const committed = groups.offsets.fetchOffsets(groupId, null);
  const rows = new Map<string, PartitionLag>();
  const row = (topic: string, partition: number): PartitionLag => {
    const key = `${topic}\u0000${partition}`;
    let found = rows.get(key);
    if (!found) {
      const log = broker.topics.log(topic, partition);
      found = {
        topic,
        partition,
        committedOffset: -1,
        highWatermark: log?.highWatermark ?? -1,
        logEndOffset: log?.logEndOffset ?? -1,
        lag: null,
        memberId: null,
        clientId: null,
      };
      rows.set(key, found);
    }
    return found;
  };
  for (const topic of committed.topics) {
    for (const partition of topic.partitions) {
      if (partition.committedOffset >= 0)
        row(topic.name, partition.partitionIndex).committedOffset = partition.committedOffset;
    }
  }
  if (described && described.protocolType === CONSUMER_PROTOCOL_TYPE) {
    for (const member of described.members) {
      for (const assigned of decodeAssignment(member.memberAssignment)) {
        for (const partition of assigned.partitions) {
          const entry = row(assigned.topic, partition);
          entry.memberId = member.memberId;
          entry.clientId = member.clientId;
        }
      }
    }
  }
  let totalLag = 0;
  const partitions = [...rows.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  for (const entry of partitions) {
    entry.lag = computeLag(entry.committedOffset, entry.highWatermark);
    totalLag += entry.lag ?? 0;
  }
  return { groupId, state: described?.groupState ?? 'Dead', partitions, totalLag };
}

/** The topic partitions of a ConsumerProtocolAssignment; none for bytes that do not parse. */
export function decodeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  if (bytes.length < 2) return [];
  try {
    const reader = new Reader(bytes);
    const version = Math.min(reader.int16(), ConsumerProtocolAssignment.highestVersion);
    if (version < 0) return [];
    return ConsumerProtocolAssignment.decode(reader, version).assignedPartitions;
  } catch {
    return [];
  }
}
