import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupErrorCode } from '../../src/coordinator/group/index.js';
import { decodeKey } from '../../src/coordinator/offsets/records.js';
import { joinRequest, setup, stableGroup, watch } from './helpers.js';

describe('DescribeGroups, ListGroups, DeleteGroups', () => {
  test('describe: unknown groups are Dead without error; Stable groups show metadata and assignments', async () => {
    const harness = await setup();
    const { coordinator, clock } = harness;
    const { memberIds } = await stableGroup(harness, 2);
    const [stable, unknown] = await coordinator.describeGroups(['g', 'nope']);
    assert.deepEqual(unknown, {
      errorCode: GroupErrorCode.NONE,
      groupId: 'nope',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    });
    assert.equal(stable!.groupState, 'Stable');
    assert.equal(stable!.protocolType, 'consumer');
    assert.equal(stable!.protocolData, 'range');
    assert.deepEqual(
      stable!.members.map((member) => [member.memberId, member.clientId, member.memberAssignment.toString()]),
      [
        [memberIds[0], 'c0', 'assignment-0'],
        [memberIds[1], 'c1', 'assignment-1'],
      ],
    );
    assert.ok(stable!.members[0]!.memberMetadata.length > 0);

    void coordinator.joinGroup(joinRequest({ clientId: 'newcomer' }));
    await clock.advance(0);
    const [preparing] = await coordinator.describeGroups(['g']);
    assert.equal(preparing!.groupState, 'PreparingRebalance');
    assert.equal(preparing!.protocolData, '');
    assert.ok(preparing!.members.every((member) => member.memberAssignment.length === 0));
  });

  test('list with state and type filters', async () => {
    const harness = await setup();
    const { coordinator } = harness;
    await stableGroup(harness, 1, 'a');
    await stableGroup(harness, 1, 'b');
    await coordinator.offsets.commitOffsets({
      groupId: 'simple',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5 }] }],
    });
    const all = await coordinator.listGroups();
    assert.equal(all.errorCode, GroupErrorCode.NONE);
    assert.deepEqual(
      all.groups.map((group) => [group.groupId, group.groupState, group.protocolType, group.groupType]),
      [
        ['a', 'Stable', 'consumer', 'classic'],
        ['b', 'Stable', 'consumer', 'classic'],
        ['simple', 'Empty', '', 'classic'],
      ],
    );
    const empty = await coordinator.listGroups(['empty']);
    assert.deepEqual(
      empty.groups.map((group) => group.groupId),
      ['simple'],
    );
    assert.equal((await coordinator.listGroups([], ['consumer'])).groups.length, 0);
    assert.equal((await coordinator.listGroups([], ['Classic'])).groups.length, 3);
  });

  test('delete: only Empty groups, offsets go too, tombstones are written', async () => {
    const harness = await setup();
    const { coordinator, storage } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 1);
    await coordinator.offsets.commitOffsets({
      groupId: 'g',
      generationIdOrMemberEpoch: generationId,
      memberId: memberIds[0]!,
      topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 42 }] }],
    });
    assert.deepEqual(await coordinator.deleteGroups(['g', 'nope']), [
      { groupId: 'g', errorCode: GroupErrorCode.NON_EMPTY_GROUP },
      { groupId: 'nope', errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[0]! }] });
    assert.equal(coordinator.groupState('g'), 'Empty');
    assert.deepEqual(await coordinator.deleteGroups(['g']), [
      { groupId: 'g', errorCode: GroupErrorCode.NONE },
    ]);
    assert.equal(coordinator.groupState('g'), 'Dead');
    const fetched = coordinator.offsets.fetchOffsets('g', [{ name: 't1', partitionIndexes: [0] }]);
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, -1);
    const tombstones = storage.records
      .filter((record) => record.value === null)
      .map((record) => decodeKey(record.key));
    assert.deepEqual(tombstones, [
      { type: 'offset', group: 'g', topic: 't1', partition: 0 },
      { type: 'group', group: 'g' },
    ]);
    assert.deepEqual(await coordinator.deleteGroups(['g']), [
      { groupId: 'g', errorCode: GroupErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });
});

describe('lifecycle', () => {
  test('requests before start and after close get COORDINATOR_NOT_AVAILABLE; close leaves no timer', async () => {
    const harness = await setup({ groupInitialRebalanceDelayMs: 3000 });
    const { coordinator, clock } = harness;
    await stableGroup(harness, 2, 'stable');
    const parked = watch(coordinator.joinGroup(joinRequest({ groupId: 'parked' })));
    await clock.advance(0);
    assert.ok(clock.pendingTimers > 0);
    await coordinator.close();
    assert.equal(parked.value!.errorCode, GroupErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.activeTimers, 0);
    assert.equal(clock.pendingTimers, 0, 'every scheduled timer was cancelled');
    assert.equal(
      (await coordinator.joinGroup(joinRequest())).errorCode,
      GroupErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    assert.equal((await coordinator.listGroups()).errorCode, GroupErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(
      coordinator.offsets.fetchOffsets('stable', null).errorCode,
      GroupErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
  });

  test('groups this broker does not coordinate get NOT_COORDINATOR', async () => {
    const { InMemoryGroupStorage } = await import('../../src/coordinator/offsets/group-storage.js');
    const { GroupCoordinator } = await import('../../src/coordinator/group/index.js');
    const coordinator = new GroupCoordinator({
      storage: new InMemoryGroupStorage(),
      ownsGroup: (groupId) => groupId.startsWith('mine'),
    });
    await coordinator.start();
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ groupId: 'theirs' }))).errorCode,
      GroupErrorCode.NOT_COORDINATOR,
    );
    assert.equal(
      await coordinator.heartbeat({ groupId: 'theirs', generationId: 1, memberId: 'm' }),
      GroupErrorCode.NOT_COORDINATOR,
    );
    await coordinator.close();
    assert.equal(coordinator.activeTimers, 0);
  });
});
