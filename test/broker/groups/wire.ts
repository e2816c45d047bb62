/**
 * Raw group requests with Samsa's codecs: one connection per member (a JoinGroup answer waits for
 * the rebalance, and responses come back in request order on a connection).
 */
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ConsumerProtocolAssignment } from '../../../src/protocol/generated/consumer-protocol-assignment.js';
import { ConsumerProtocolSubscription } from '../../../src/protocol/generated/consumer-protocol-subscription.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { WireClient } from '../handlers/produce-fetch.helpers.js';

export { WireClient };

export function subscription(topics: string[]): Buffer {
  const writer = new Writer().int16(0);
  ConsumerProtocolSubscription.encode(
    writer,
    ConsumerProtocolSubscription.create({ topics, userData: null }),
    0,
  );
  return writer.toBuffer();
}

export function assignment(partitions: { topic: string; partitions: number[] }[]): Buffer {
  const writer = new Writer().int16(0);
  ConsumerProtocolAssignment.encode(
    writer,
    ConsumerProtocolAssignment.create({ assignedPartitions: partitions, userData: null }),
    0,
  );
  return writer.toBuffer();
}

export interface Member {
  client: WireClient;
  groupId: string;
  memberId: string;
  generationId: number;
  leader: string;
}

export interface JoinOptions {
  protocolType?: string;
  topics?: string[];
  groupInstanceId?: string | null;
  version?: number;
  sessionTimeoutMs?: number;
}

/** JoinGroup as a new member (answering MEMBER_ID_REQUIRED with the id handed out). */
export async function join(client: WireClient, groupId: string, options: JoinOptions = {}) {
  const version = options.version ?? 5;
  const body = (memberId: string) =>
    Apis.JoinGroup.request.create({
      groupId,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: options.groupInstanceId ?? null,
      protocolType: options.protocolType ?? 'consumer',
      protocols: [{ name: 'range', metadata: subscription(options.topics ?? ['t']) }],
    });
  let response = await client.request(Apis.JoinGroup, version, body(''));
  if (response.errorCode === 79)
    response = await client.request(Apis.JoinGroup, version, body(response.memberId));
  return response;
}

/** Joins a group nobody else is in and syncs, assigning `partitions` to itself. */
export async function joinAlone(
  client: WireClient,
  groupId: string,
  partitions: { topic: string; partitions: number[] }[],
  options: JoinOptions = {},
): Promise<Member> {
  const joined = await join(client, groupId, options);
  if (joined.errorCode !== 0) throw new Error(`JoinGroup failed with ${joined.errorCode}`);
  const synced = await client.request(
    Apis.SyncGroup,
    3,
    Apis.SyncGroup.request.create({
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: options.groupInstanceId ?? null,
      assignments: [{ memberId: joined.memberId, assignment: assignment(partitions) }],
    }),
  );
  if (synced.errorCode !== 0) throw new Error(`SyncGroup failed with ${synced.errorCode}`);
  return {
    client,
    groupId,
    memberId: joined.memberId,
    generationId: joined.generationId,
    leader: joined.leader,
  };
}

export async function heartbeat(
  member: Member,
  generationId = member.generationId,
  memberId = member.memberId,
) {
  const response = await member.client.request(
    Apis.Heartbeat,
    3,
    Apis.Heartbeat.request.create({ groupId: member.groupId, generationId, memberId }),
  );
  return response.errorCode;
}

export async function commit(
  client: WireClient,
  groupId: string,
  offsets: { topic: string; partition: number; offset: number }[],
  options: { generationId?: number; memberId?: string; version?: number; retentionTimeMs?: number } = {},
) {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = byTopic.get(topic) ?? [];
    list.push({ partitionIndex: partition, committedOffset: BigInt(offset) });
    byTopic.set(topic, list);
  }
  const response = await client.request(
    Apis.OffsetCommit,
    options.version ?? 8,
    Apis.OffsetCommit.request.create({
      groupId,
      generationIdOrMemberEpoch: options.generationId ?? -1,
      memberId: options.memberId ?? '',
      retentionTimeMs: BigInt(options.retentionTimeMs ?? -1),
      topics: [...byTopic].map(([name, partitions]) => ({
        name,
        partitions: partitions.map((partition) => ({
          ...partition,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: 'm',
        })),
      })),
    }),
  );
  return response.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({
      topic: topic.name,
      partition: partition.partitionIndex,
      errorCode: partition.errorCode,
    })),
  );
}

/** OffsetFetch v7 for the given partitions (null: every committed one); offsets by "topic/partition". */
export async function fetchCommitted(
  client: WireClient,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
): Promise<{ errorCode: number; offsets: Map<string, number> }> {
  const response = await client.request(
    Apis.OffsetFetch,
    7,
    Apis.OffsetFetch.request.create({ groupId, topics }),
  );
  const offsets = new Map<string, number>();
  for (const topic of response.topics) {
    for (const partition of topic.partitions) {
      offsets.set(`${topic.name}/${partition.partitionIndex}`, Number(partition.committedOffset));
    }
  }
  return { errorCode: response.errorCode, offsets };
}
