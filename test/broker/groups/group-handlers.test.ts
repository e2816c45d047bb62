/**
 * The group APIs over the wire with our own codecs: versions real clients do not all use, and
 * the bad input they would never send. Each error case checks that the group keeps working for
 * its other members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/broker.js';
import { OFFSETS_TOPIC, partitionForGroup } from '../../../src/broker/groups/group-partition.js';
import { groupLag } from '../../../src/broker/groups/lag.js';
import { Apis } from '../../../src/protocol/generated/api-keys.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { commit, fetchCommitted, heartbeat, join, joinAlone, WireClient } from './wire.js';

const OFFSETS_PARTITIONS = 5;
let started: StartedBroker;
const clients: WireClient[] = [];

async function connect(): Promise<WireClient> {
  const client = await WireClient.connect(started.port, started.host);
  clients.push(client);
  return client;
}

before(async () => {
  started = await startBroker({
    logLevel: 'silent',
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'offsets.topic.num.partitions': OFFSETS_PARTITIONS,
      'group.max.size': 2,
    },
  });
  await started.broker.groups.loaded;
  await started.broker.topics.createTopic('t', { partitions: 3, replicationFactor: 1 });
});

after(async () => {
  for (const client of clients) client.close();
  await started.stop();
});

describe('FindCoordinator', () => {
  it('v0 and v3 name this broker and create __consumer_offsets as an internal compacted topic', async () => {
    const client = await connect();
    const v0 = await client.request(
      Apis.FindCoordinator,
      0,
      Apis.FindCoordinator.request.create({ key: 'g0' }),
    );
    assert.equal(v0.errorCode, ErrorCode.NONE);
    assert.equal(v0.nodeId, started.broker.brokerId);
    assert.equal(v0.port, started.port);
    const v3 = await client.request(
      Apis.FindCoordinator,
      3,
      Apis.FindCoordinator.request.create({ key: 'g0', keyType: 0 }),
    );
    assert.equal(v3.errorCode, ErrorCode.NONE);
    assert.equal(v3.host, started.host);

    const topic = started.broker.image().topic(OFFSETS_TOPIC);
    assert.ok(topic);
    assert.equal(topic.internal, true);
    assert.equal(topic.partitions.length, OFFSETS_PARTITIONS);
    assert.equal(topic.configs['cleanup.policy'], 'compact');
    const metadata = await client.request(
      Apis.Metadata,
      9,
      Apis.Metadata.request.create({
        topics: [{ name: OFFSETS_TOPIC, topicId: '00000000-0000-0000-0000-000000000000' }],
      }),
    );
    assert.equal(metadata.topics[0]?.isInternal, true);
  });

  it('v4 answers a batch of keys; transactions go to this broker; unknown key types are refused', async () => {
    const client = await connect();
    const response = await client.request(
      Apis.FindCoordinator,
      4,
      Apis.FindCoordinator.request.create({ keyType: 0, coordinatorKeys: ['a', 'b', 'c'] }),
    );
    assert.deepEqual(
      response.coordinators.map((c) => [c.key, c.errorCode, c.nodeId]),
      [
        ['a', 0, started.broker.brokerId],
        ['b', 0, started.broker.brokerId],
        ['c', 0, started.broker.brokerId],
      ],
    );
    const txn = await client.request(
      Apis.FindCoordinator,
      5,
      Apis.FindCoordinator.request.create({ keyType: 1, coordinatorKeys: ['tx'] }),
    );
    assert.equal(txn.coordinators[0]?.errorCode, ErrorCode.NONE);
    const bad = await client.request(
      Apis.FindCoordinator,
      4,
      Apis.FindCoordinator.request.create({ keyType: 7, coordinatorKeys: ['x'] }),
    );
    assert.equal(bad.coordinators[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  });
});

describe('a group through its life', () => {
  it('join (KIP-394), sync, heartbeat, commit, fetch, describe, list, leave, delete', async () => {
    const client = await connect();
    const groupId = 'life';
    const member = await joinAlone(client, groupId, [{ topic: 't', partitions: [0, 1, 2] }]);
    assert.equal(member.leader, member.memberId);
    assert.equal(await heartbeat(member), ErrorCode.NONE);

    const committed = await commit(
      client,
      groupId,
      [
        { topic: 't', partition: 0, offset: 5 },
        { topic: 't', partition: 1, offset: 7 },
      ],
      { generationId: member.generationId, memberId: member.memberId },
    );
    assert.ok(committed.every((entry) => entry.errorCode === 0));

    // The records went to the group's own __consumer_offsets partition.
    const home = started.broker.topics.log(OFFSETS_TOPIC, partitionForGroup(groupId, OFFSETS_PARTITIONS));
    assert.ok(home && home.logEndOffset >= 2);

    const all = await fetchCommitted(client, groupId, null);
    assert.equal(all.errorCode, 0);
    assert.deepEqual(Object.fromEntries(all.offsets), { 't/0': 5, 't/1': 7 });
    const some = await fetchCommitted(client, groupId, [{ name: 't', partitionIndexes: [1, 2] }]);
    assert.deepEqual(Object.fromEntries(some.offsets), { 't/1': 7, 't/2': -1 });

    const described = await client.request(
      Apis.DescribeGroups,
      5,
      Apis.DescribeGroups.request.create({
        groups: [groupId, 'nobody-here'],
        includeAuthorizedOperations: true,
      }),
    );
    assert.equal(described.groups[0]?.groupState, 'Stable');
    assert.equal(described.groups[0]?.protocolType, 'consumer');
    assert.equal(described.groups[0]?.protocolData, 'range');
    assert.equal(described.groups[0]?.members[0]?.memberId, member.memberId);
    assert.equal(described.groups[0]?.members[0]?.clientHost, '/127.0.0.1');
    assert.ok((described.groups[0]?.authorizedOperations ?? 0) > 0);
    assert.equal(described.groups[1]?.groupState, 'Dead');
    assert.equal(described.groups[1]?.errorCode, 0);

    const lag = await groupLag(started.broker, groupId);
    assert.equal(lag.state, 'Stable');
    assert.deepEqual(
      lag.partitions.map((p) => [p.partition, p.committedOffset, p.memberId === member.memberId]),
      [
        [0, 5, true],
        [1, 7, true],
        [2, -1, true],
      ],
    );

    const listed = await client.request(Apis.ListGroups, 0, Apis.ListGroups.request.create({}));
    assert.ok(listed.groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'));
    const stable = await client.request(
      Apis.ListGroups,
      4,
      Apis.ListGroups.request.create({ statesFilter: ['stable'] }),
    );
    assert.deepEqual(
      stable.groups.filter((g) => g.groupId === groupId).map((g) => g.groupState),
      ['Stable'],
    );
    const empty = await client.request(
      Apis.ListGroups,
      4,
      Apis.ListGroups.request.create({ statesFilter: ['Empty'] }),
    );
    assert.ok(!empty.groups.some((g) => g.groupId === groupId));
    const byType = await client.request(
      Apis.ListGroups,
      5,
      Apis.ListGroups.request.create({ typesFilter: ['consumer'] }),
    );
    assert.equal(byType.groups.length, 0, 'no KIP-848 groups here');

    const notEmpty = await client.request(
      Apis.DeleteGroups,
      2,
      Apis.DeleteGroups.request.create({ groupsNames: [groupId, 'never-was'] }),
    );
    assert.deepEqual(
      notEmpty.results.map((r) => r.errorCode),
      [ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND],
    );

    const left = await client.request(
      Apis.LeaveGroup,
      0,
      Apis.LeaveGroup.request.create({ groupId, memberId: member.memberId }),
    );
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.equal(started.broker.groups.groupState(groupId), 'Empty');
    const gone = await client.request(
      Apis.DeleteGroups,
      0,
      Apis.DeleteGroups.request.create({ groupsNames: [groupId] }),
    );
    assert.equal(gone.results[0]?.errorCode, ErrorCode.NONE);
    const after = await fetchCommitted(client, groupId, null);
    assert.equal(after.offsets.size, 0);
  });

  it('JoinGroup v0 (no rebalance timeout, no member id round trip) and LeaveGroup v3 batches', async () => {
    const client = await connect();
    const response = await join(client, 'old-join', { version: 0 });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.generationId, 1);
    assert.equal(response.protocolName, 'range');
    const left = await client.request(
      Apis.LeaveGroup,
      3,
      Apis.LeaveGroup.request.create({
        groupId: 'old-join',
        members: [
          { memberId: response.memberId, groupInstanceId: null, reason: null },
          { memberId: 'stranger', groupInstanceId: null, reason: null },
        ],
      }),
    );
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      left.members.map((m) => m.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
  });
});

describe('OffsetCommit and OffsetFetch versions', () => {
  it('v2 with a retention time, v5, v8; fetch v1, v5, v8 (several groups)', async () => {
    const client = await connect();
    for (const [version, groupId] of [
      [2, 'simple-v2'],
      [5, 'simple-v5'],
      [8, 'simple-v8'],
    ] as const) {
      const result = await commit(client, groupId, [{ topic: 't', partition: 2, offset: version * 10 }], {
        version,
        retentionTimeMs: version === 2 ? 3_600_000 : -1,
      });
      assert.deepEqual(result, [{ topic: 't', partition: 2, errorCode: 0 }]);
    }
    const v1 = await client.request(
      Apis.OffsetFetch,
      1,
      Apis.OffsetFetch.request.create({
        groupId: 'simple-v2',
        topics: [{ name: 't', partitionIndexes: [2] }],
      }),
    );
    assert.equal(v1.topics[0]?.partitions[0]?.committedOffset, 20n);
    assert.equal(v1.topics[0]?.partitions[0]?.metadata, 'm');
    const v5 = await client.request(
      Apis.OffsetFetch,
      5,
      Apis.OffsetFetch.request.create({ groupId: 'simple-v5', topics: null }),
    );
    assert.equal(v5.topics[0]?.partitions[0]?.committedOffset, 50n);
    const v8 = await client.request(
      Apis.OffsetFetch,
      8,
      Apis.OffsetFetch.request.create({
        groups: [
          { groupId: 'simple-v8', memberId: null, memberEpoch: -1, topics: null },
          {
            groupId: 'simple-v2',
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: 't', partitionIndexes: [2] }],
          },
          {
            groupId: 'unknown-group',
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: 't', partitionIndexes: [0] }],
          },
        ],
        requireStable: true,
      }),
    );
    assert.deepEqual(
      v8.groups.map((g) => [g.groupId, g.errorCode, g.topics[0]?.partitions[0]?.committedOffset]),
      [
        ['simple-v8', 0, 80n],
        ['simple-v2', 0, 20n],
        ['unknown-group', 0, -1n],
      ],
    );
  });

  it('unknown topics and partitions get UNKNOWN_TOPIC_OR_PARTITION, the rest is stored', async () => {
    const client = await connect();
    const result = await commit(client, 'mixed', [
      { topic: 't', partition: 0, offset: 1 },
      { topic: 't', partition: 9, offset: 1 },
      { topic: 'no-such-topic', partition: 0, offset: 1 },
    ]);
    assert.deepEqual(
      result.map((r) => r.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.deepEqual(Object.fromEntries((await fetchCommitted(client, 'mixed', null)).offsets), { 't/0': 1 });
  });

  it('OffsetDelete removes offsets of an Empty group', async () => {
    const client = await connect();
    await commit(client, 'to-prune', [
      { topic: 't', partition: 0, offset: 3 },
      { topic: 't', partition: 1, offset: 4 },
    ]);
    const response = await client.request(
      Apis.OffsetDelete,
      0,
      Apis.OffsetDelete.request.create({
        groupId: 'to-prune',
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0 }] },
          { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
        ],
      }),
    );
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      response.topics.map((t) => t.partitions[0]?.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.deepEqual(Object.fromEntries((await fetchCommitted(client, 'to-prune', null)).offsets), {
      't/1': 4,
    });
    const unknown = await client.request(
      Apis.OffsetDelete,
      0,
      Apis.OffsetDelete.request.create({ groupId: 'never-was', topics: [] }),
    );
    assert.equal(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('bad input: the group keeps working for its members', () => {
  it('INCONSISTENT_GROUP_PROTOCOL for another protocol type', async () => {
    const member = await joinAlone(await connect(), 'proto', [{ topic: 't', partitions: [0] }]);
    const stranger = await join(await connect(), 'proto', { protocolType: 'connect' });
    assert.equal(stranger.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(await heartbeat(member), ErrorCode.NONE);
  });

  it('ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID on heartbeat and commit', async () => {
    const client = await connect();
    const member = await joinAlone(client, 'fenced', [{ topic: 't', partitions: [0] }]);
    assert.equal(await heartbeat(member, member.generationId + 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await heartbeat(member, member.generationId, 'impostor'), ErrorCode.UNKNOWN_MEMBER_ID);
    const stale = await commit(client, 'fenced', [{ topic: 't', partition: 0, offset: 9 }], {
      generationId: member.generationId - 1,
      memberId: member.memberId,
    });
    assert.equal(stale[0]?.errorCode, ErrorCode.ILLEGAL_GENERATION);
    const unknown = await commit(client, 'fenced', [{ topic: 't', partition: 0, offset: 9 }], {
      generationId: member.generationId,
      memberId: 'impostor',
    });
    assert.equal(unknown[0]?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const outsider = await commit(client, 'fenced', [{ topic: 't', partition: 0, offset: 9 }]);
    assert.equal(outsider[0]?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'no anonymous commits to a live group');
    assert.equal((await fetchCommitted(client, 'fenced', null)).offsets.size, 0);

    assert.equal(await heartbeat(member), ErrorCode.NONE);
    const good = await commit(client, 'fenced', [{ topic: 't', partition: 0, offset: 9 }], {
      generationId: member.generationId,
      memberId: member.memberId,
    });
    assert.equal(good[0]?.errorCode, ErrorCode.NONE);
    const sync = await client.request(
      Apis.SyncGroup,
      3,
      Apis.SyncGroup.request.create({
        groupId: 'fenced',
        generationId: member.generationId,
        memberId: 'impostor',
      }),
    );
    assert.equal(sync.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('GROUP_MAX_SIZE_REACHED past group.max.size', async () => {
    const first = await joinAlone(await connect(), 'small', [{ topic: 't', partitions: [0] }]);
    // A second member makes the group rebalance; both rejoin, then a third is turned away.
    const secondClient = await connect();
    const secondJoin = join(secondClient, 'small');
    while (started.broker.groups.groupState('small') !== 'PreparingRebalance') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(await heartbeat(first), ErrorCode.REBALANCE_IN_PROGRESS);
    const firstRejoin = first.client.request(
      Apis.JoinGroup,
      5,
      Apis.JoinGroup.request.create({
        groupId: 'small',
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: first.memberId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      }),
    );
    const [second, rejoined] = await Promise.all([secondJoin, firstRejoin]);
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.equal(rejoined.errorCode, ErrorCode.NONE);
    assert.equal(second.generationId, rejoined.generationId);

    const third = await join(await connect(), 'small');
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    const members = await first.client.request(
      Apis.DescribeGroups,
      0,
      Apis.DescribeGroups.request.create({ groups: ['small'] }),
    );
    assert.equal(members.groups[0]?.members.length, 2);
  });

  it('an empty group id is INVALID_GROUP_ID for JoinGroup', async () => {
    const response = await join(await connect(), '');
    assert.equal(response.errorCode, ErrorCode.INVALID_GROUP_ID);
  });
});
