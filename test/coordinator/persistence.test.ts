import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/coordinator/clock.js';
import { GroupErrorCode } from '../../src/coordinator/group/index.js';
import {
  CoordinatorRecordError,
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type StoredGroup,
} from '../../src/coordinator/offsets/records.js';
import { Writer } from '../../src/protocol/primitives/index.js';
import { joinRequest, SESSION_MS, setup, stableGroup } from './helpers.js';

describe('__consumer_offsets records', () => {
  test('keys: OffsetCommitKey v1 and GroupMetadataKey v2 bytes', () => {
    const offsetKey = encodeOffsetCommitKey('g', 't', 3);
    assert.equal(offsetKey.toString('hex'), '0001' + '00016' + '7' + '00017' + '4' + '00000003');
    assert.deepEqual(decodeKey(offsetKey), { type: 'offset', group: 'g', topic: 't', partition: 3 });
    const groupKey = encodeGroupMetadataKey('grp');
    assert.equal(groupKey.toString('hex'), '0002' + '0003' + Buffer.from('grp').toString('hex'));
    assert.deepEqual(decodeKey(groupKey), { type: 'group', group: 'grp' });
    assert.throws(() => decodeKey(Buffer.from([0, 9, 0, 0])), CoordinatorRecordError);
    assert.throws(() => decodeKey(Buffer.from([0, 1, 0, 5, 1])), CoordinatorRecordError);
  });

  test('OffsetCommitValue: v3 normally, v1 with an explicit expiry; v0 and v2 decode', () => {
    const v3 = encodeOffsetCommitValue({
      offset: 2 ** 40,
      leaderEpoch: 7,
      metadata: 'm',
      commitTimestamp: 1234,
      expireTimestamp: null,
    });
    assert.equal(v3.readInt16BE(0), 3);
    assert.equal(v3.length, 2 + 8 + 4 + 2 + 1 + 8);
    assert.deepEqual(decodeOffsetCommitValue(v3), {
      offset: 2 ** 40,
      leaderEpoch: 7,
      metadata: 'm',
      commitTimestamp: 1234,
      expireTimestamp: null,
    });
    const v1 = encodeOffsetCommitValue({
      offset: 1,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 5,
      expireTimestamp: 9,
    });
    assert.equal(v1.readInt16BE(0), 1);
    assert.equal(decodeOffsetCommitValue(v1).expireTimestamp, 9);
    for (const version of [0, 2]) {
      const old = new Writer().int16(version).int64Number(42).string('meta').int64Number(77).toBuffer();
      assert.deepEqual(decodeOffsetCommitValue(old), {
        offset: 42,
        leaderEpoch: -1,
        metadata: 'meta',
        commitTimestamp: 77,
        expireTimestamp: null,
      });
    }
  });

  test('GroupMetadataValue v3 round-trips (property) and v0 decodes', () => {
    const text = fc.string({ maxLength: 20 });
    const bytes = fc.uint8Array({ maxLength: 32 }).map((array) => Buffer.from(array));
    const member = fc.record({
      memberId: text,
      groupInstanceId: fc.option(text, { nil: null }),
      clientId: text,
      clientHost: text,
      rebalanceTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      sessionTimeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      subscription: bytes,
      assignment: bytes,
    });
    const group = fc.record({
      protocolType: text,
      generationId: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      protocolName: fc.option(text, { nil: null }),
      leaderId: fc.option(text, { nil: null }),
      currentStateTimestamp: fc.integer({ min: -1, max: 2 ** 50 }),
      members: fc.array(member, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(group, (generated: StoredGroup) => {
        const value = { ...generated, members: generated.members.map((entry) => ({ ...entry })) };
        assert.deepEqual(decodeGroupMetadataValue(encodeGroupMetadataValue(value)), value);
      }),
    );
    const v0 = new Writer()
      .int16(0)
      .string('consumer')
      .int32(4)
      .nullableString('range')
      .nullableString('m1')
      .int32(1)
      .string('m1')
      .string('client')
      .string('/host')
      .int32(10_000)
      .bytes(Buffer.from('sub'))
      .bytes(Buffer.from('asg'))
      .toBuffer();
    assert.deepEqual(decodeGroupMetadataValue(v0), {
      protocolType: 'consumer',
      generationId: 4,
      protocolName: 'range',
      leaderId: 'm1',
      currentStateTimestamp: -1,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'client',
          clientHost: '/host',
          rebalanceTimeoutMs: 10_000,
          sessionTimeoutMs: 10_000,
          subscription: Buffer.from('sub'),
          assignment: Buffer.from('asg'),
        },
      ],
    });
    assert.throws(() => decodeGroupMetadataValue(v0.subarray(0, v0.length - 2)), CoordinatorRecordError);
  });
});

describe('rebuilding a coordinator from GroupStorage', () => {
  test('offsets and group metadata survive; restored members are dropped when their sessions expire', async () => {
    const first = await setup();
    const { memberIds, generationId } = await stableGroup(first, 2);
    await stableGroup(first, 1, 'left');
    const left = await first.coordinator.describeGroups(['left']);
    await first.coordinator.leaveGroup({
      groupId: 'left',
      members: [{ memberId: left[0]!.members[0]!.memberId }],
    });
    await first.coordinator.offsets.commitOffsets({
      groupId: 'g',
      generationIdOrMemberEpoch: generationId,
      memberId: memberIds[0]!,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, committedOffset: 11, committedLeaderEpoch: 2, committedMetadata: 'x' },
          ],
        },
      ],
    });
    await first.coordinator.offsets.commitOffsets({
      groupId: 'simple',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 't1', partitions: [{ partitionIndex: 1, committedOffset: 5 }] }],
    });
    const before = await first.coordinator.describeGroups(['g', 'left', 'simple']);
    const offsetsBefore = ['g', 'simple'].map((groupId) =>
      first.coordinator.offsets.fetchOffsets(groupId, null),
    );
    await first.coordinator.close();

    const clock = new ManualClock(first.clock.now());
    const second = await setup({}, first.storage, clock);
    const { coordinator } = second;
    assert.deepEqual(await coordinator.describeGroups(['g', 'left', 'simple']), before);
    assert.deepEqual(
      ['g', 'simple'].map((groupId) => coordinator.offsets.fetchOffsets(groupId, null)),
      offsetsBefore,
    );
    assert.equal(coordinator.groupState('left'), 'Empty');
    // The restored members carry on: same generation, same assignment.
    assert.equal(
      await coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[1]! }),
      GroupErrorCode.NONE,
    );
    const sync = await coordinator.syncGroup({
      groupId: 'g',
      generationId,
      memberId: memberIds[1]!,
      assignments: [],
    });
    assert.equal(sync.assignment.toString(), 'assignment-1');
    // memberIds[0] never heartbeats to the new coordinator: it goes when its session expires.
    await clock.advance(SESSION_MS - 1000);
    assert.equal(coordinator.groupState('g'), 'Stable');
    await coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[1]! });
    await clock.advance(1000);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    const rejoin = coordinator.joinGroup(joinRequest({ memberId: memberIds[1]! }));
    await clock.advance(0);
    const response = await rejoin;
    assert.equal(response.generationId, generationId + 1);
    assert.deepEqual(
      response.members.map((member) => member.memberId),
      [memberIds[1]],
    );
    await coordinator.close();
    assert.equal(clock.pendingTimers, 0);
  });

  test('requests during the load get COORDINATOR_LOAD_IN_PROGRESS (sync: REBALANCE_IN_PROGRESS, heartbeat: NONE)', async () => {
    const { GroupCoordinator } = await import('../../src/coordinator/group/index.js');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const storage = {
      append: async () => {},
      async *load() {
        await gate;
        yield* [];
      },
    };
    const coordinator = new GroupCoordinator({ storage, scheduler: new ManualClock() });
    const starting = coordinator.start();
    assert.equal(coordinator.status, 'loading');
    assert.equal(
      (await coordinator.joinGroup(joinRequest())).errorCode,
      GroupErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    assert.equal(
      (await coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: 'm', assignments: [] }))
        .errorCode,
      GroupErrorCode.REBALANCE_IN_PROGRESS,
    );
    assert.equal(
      await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm' }),
      GroupErrorCode.NONE,
    );
    release();
    await starting;
    assert.equal(coordinator.status, 'active');
    await coordinator.close();
  });
});
