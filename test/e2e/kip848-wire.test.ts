/**
 * KIP-848 consumer groups on the wire with Samsa's codecs: what the classic group APIs answer for
 * them (JoinGroup, DescribeGroups, ListGroups, DeleteGroups, OffsetCommit/OffsetFetch v9), and
 * a classic group refusing KIP-848 members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { join, WireClient } from '../broker/groups/wire.js';

describe('KIP-848 consumer groups beside classic groups (wire)', () => {
  let started: StartedBroker;
  let client: WireClient;

  const heartbeat = (groupId: string, memberId: string, memberEpoch: number) =>
    client.request(
      Apis.ConsumerGroupHeartbeat,
      1,
      Apis.ConsumerGroupHeartbeat.request.create({
        groupId,
        memberId,
        memberEpoch,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: ['t'],
        topicPartitions: [],
      }),
    );

  before(async () => {
    started = await startBroker({
      logLevel: 'silent',
      config: { 'offsets.topic.num.partitions': 2, 'group.initial.rebalance.delay.ms': 0 },
    });
    await started.broker.metadataStore.createTopic('t', { partitions: 2, replicationFactor: 1 });
    client = await WireClient.connect(started.port);
  });

  after(async () => {
    client?.close();
    await started?.stop();
  });

  it('serves ConsumerGroupHeartbeat 0-1 and ConsumerGroupDescribe 0', () => {
    const apis = started.broker.supportedApis();
    assert.deepEqual(
      apis.filter((api) => api.apiKey === 68 || api.apiKey === 69),
      [
        { apiKey: 68, minVersion: 0, maxVersion: 1 },
        { apiKey: 69, minVersion: 0, maxVersion: 0 },
      ],
    );
  });

  it('a consumer group with members: classic join refused, listed as consumer, not deletable, commits need the epoch', async () => {
    const joined = await heartbeat('modern', 'm1', 0);
    assert.equal(joined.errorCode, 0);
    assert.equal(joined.memberEpoch, 1);
    assert.equal(joined.assignment?.topicPartitions[0]?.partitions.length, 2);

    const classicJoin = await join(client, 'modern', { version: 5, topics: ['t'] });
    assert.equal(classicJoin.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    const described = await client.request(
      Apis.DescribeGroups,
      5,
      Apis.DescribeGroups.request.create({ groups: ['modern'] }),
    );
    assert.equal(described.groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

    const listed = await client.request(
      Apis.ListGroups,
      5,
      Apis.ListGroups.request.create({ typesFilter: ['consumer'] }),
    );
    assert.deepEqual(
      listed.groups.map((group) => [group.groupId, group.groupType, group.protocolType, group.groupState]),
      [['modern', 'consumer', 'consumer', 'Stable']],
    );

    const commit = (memberEpoch: number) =>
      client.request(
        Apis.OffsetCommit,
        9,
        Apis.OffsetCommit.request.create({
          groupId: 'modern',
          generationIdOrMemberEpoch: memberEpoch,
          memberId: 'm1',
          topics: [
            {
              name: 't',
              partitions: [
                {
                  partitionIndex: 0,
                  committedOffset: 5n,
                  committedLeaderEpoch: -1,
                  commitTimestamp: -1n,
                  committedMetadata: null,
                },
              ],
            },
          ],
        }),
      );
    assert.equal((await commit(7)).topics[0]!.partitions[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal((await commit(1)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const fetch = (memberId: string | null, memberEpoch: number) =>
      client.request(
        Apis.OffsetFetch,
        9,
        Apis.OffsetFetch.request.create({
          groups: [
            { groupId: 'modern', memberId, memberEpoch, topics: [{ name: 't', partitionIndexes: [0] }] },
          ],
        }),
      );
    const fetched = await fetch('m1', 1);
    assert.equal(fetched.groups[0]!.errorCode, 0);
    assert.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 5n);
    assert.equal((await fetch('m1', 0)).groups[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal((await fetch('stranger', 1)).groups[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((await fetch(null, -1)).groups[0]!.errorCode, 0, 'admin clients send no member');

    const deleteGroups = () =>
      client.request(Apis.DeleteGroups, 2, Apis.DeleteGroups.request.create({ groupsNames: ['modern'] }));
    assert.equal((await deleteGroups()).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP);

    const left = await heartbeat('modern', 'm1', -1);
    assert.equal(left.memberEpoch, -1);
    const empty = await client.request(
      Apis.ConsumerGroupDescribe,
      0,
      Apis.ConsumerGroupDescribe.request.create({ groupIds: ['modern'] }),
    );
    assert.equal(empty.groups[0]!.groupState, 'Empty');
    assert.equal((await deleteGroups()).results[0]!.errorCode, ErrorCode.NONE);
    assert.equal((await fetch(null, -1)).groups[0]!.topics[0]!.partitions[0]!.committedOffset, -1n);
  });

  it('a classic group with members refuses KIP-848 members', async () => {
    const other = await WireClient.connect(started.port);
    try {
      const classic = await join(other, 'classic', { version: 5, topics: ['t'] });
      assert.equal(classic.errorCode, 0);
      const refused = await heartbeat('classic', 'm1', 0);
      assert.equal(refused.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      const described = await client.request(
        Apis.ConsumerGroupDescribe,
        0,
        Apis.ConsumerGroupDescribe.request.create({ groupIds: ['classic', 'unknown'] }),
      );
      assert.deepEqual(
        described.groups.map((group) => [group.groupId, group.errorCode, group.groupState]),
        [
          ['classic', ErrorCode.GROUP_ID_NOT_FOUND, 'Dead'],
          ['unknown', ErrorCode.GROUP_ID_NOT_FOUND, 'Dead'],
        ],
      );
    } finally {
      other.close();
    }
  });
});
