import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupErrorCode } from '../../src/coordinator/group/index.js';
import { joinRequest, protocols, REBALANCE_MS, SESSION_MS, setup, stableGroup, watch } from './helpers.js';

describe('sessions and rebalances', () => {
  test('a member that stops heartbeating is removed after its session timeout; the others rebalance', async () => {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const { memberIds, generationId, leader } = await stableGroup(harness, 3);
    const [dead, ...alive] = memberIds as [string, string, string];
    assert.equal(leader, dead);
    const beat = (memberId: string, generation = generationId) =>
      coordinator.heartbeat({ groupId: 'g', generationId: generation, memberId });
    await clock.advance(SESSION_MS - 1000);
    for (const memberId of alive) assert.equal(await beat(memberId), GroupErrorCode.NONE);
    assert.equal(coordinator.groupState('g'), 'Stable');
    await clock.advance(999);
    assert.equal(coordinator.groupState('g'), 'Stable', 'not before the deadline');
    await clock.advance(1);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    assert.equal(await beat(dead), GroupErrorCode.UNKNOWN_MEMBER_ID);
    for (const memberId of alive) assert.equal(await beat(memberId), GroupErrorCode.REBALANCE_IN_PROGRESS);

    const rejoins = alive.map((memberId) => watch(coordinator.joinGroup(joinRequest({ memberId }))));
    await clock.advance(0);
    assert.ok(
      rejoins.every((rejoin) => rejoin.done),
      'completes once all remaining members rejoined',
    );
    const responses = rejoins.map((rejoin) => rejoin.value!);
    assert.ok(responses.every((response) => response.generationId === generationId + 1));
    const newLeader = responses[0]!.leader;
    assert.ok(alive.includes(newLeader));
    const leaderResponse = responses.find((response) => response.memberId === newLeader)!;
    assert.deepEqual(leaderResponse.members.map((member) => member.memberId).sort(), [...alive].sort());
  });

  test('a new member joining a Stable group starts a rebalance; heartbeats answer REBALANCE_IN_PROGRESS', async () => {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 2);
    const newcomer = watch(coordinator.joinGroup(joinRequest({ clientId: 'newcomer' })));
    await clock.advance(0);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    assert.equal(newcomer.done, false);
    for (const memberId of memberIds) {
      assert.equal(
        await coordinator.heartbeat({ groupId: 'g', generationId, memberId }),
        GroupErrorCode.REBALANCE_IN_PROGRESS,
      );
    }
    const rejoins = memberIds.map((memberId) => coordinator.joinGroup(joinRequest({ memberId })));
    await clock.advance(0);
    const all = [...(await Promise.all(rejoins)), newcomer.value!];
    assert.ok(all.every((response) => response.errorCode === GroupErrorCode.NONE));
    assert.ok(all.every((response) => response.generationId === generationId + 1));
    assert.equal(coordinator.groupState('g'), 'CompletingRebalance');
    assert.equal(
      await coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0]! }),
      GroupErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(
      await coordinator.heartbeat({ groupId: 'g', generationId: generationId + 1, memberId: memberIds[0]! }),
      GroupErrorCode.NONE,
      'heartbeats during CompletingRebalance are normal',
    );
  });

  test('members that do not rejoin within the rebalance timeout are dropped from the new generation', async () => {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 3);
    const newcomer = watch(coordinator.joinGroup(joinRequest({ clientId: 'newcomer' })));
    const rejoin = watch(coordinator.joinGroup(joinRequest({ memberId: memberIds[1]! })));
    // The silent members keep heartbeating but never rejoin.
    for (let elapsed = 5000; elapsed < REBALANCE_MS; elapsed += 5000) {
      await clock.advance(5000);
      for (const memberId of [memberIds[0]!, memberIds[2]!]) {
        await coordinator.heartbeat({ groupId: 'g', generationId, memberId });
      }
    }
    assert.equal(rejoin.done, false);
    await clock.advance(5000);
    assert.ok(rejoin.done && newcomer.done);
    assert.equal(rejoin.value!.generationId, generationId + 1);
    assert.equal(rejoin.value!.leader, memberIds[1], 'leadership passes to a member that rejoined');
    assert.equal(rejoin.value!.members.length, 2);
    assert.equal(
      await coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0]! }),
      GroupErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  test('heartbeat errors: unknown member, stale generation, unknown group', async () => {
    const harness = await setup();
    const { coordinator } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 1);
    const beat = (overrides: object) =>
      coordinator.heartbeat({ groupId: 'g', generationId, memberId: memberIds[0]!, ...overrides });
    assert.equal(await beat({}), GroupErrorCode.NONE);
    assert.equal(await beat({ memberId: 'ghost' }), GroupErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await beat({ generationId: generationId + 5 }), GroupErrorCode.ILLEGAL_GENERATION);
    assert.equal(await beat({ groupId: 'other' }), GroupErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('LeaveGroup', () => {
  test('batch leave answers each member; the group rebalances, then goes Empty when the last leaves', async () => {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 3);
    const leave = await coordinator.leaveGroup({
      groupId: 'g',
      members: [
        { memberId: memberIds[1]! },
        { memberId: 'ghost' },
        { memberId: memberIds[2]!, reason: 'shutdown' },
      ],
    });
    assert.equal(leave.errorCode, GroupErrorCode.NONE);
    assert.deepEqual(
      leave.members.map((member) => [member.memberId, member.errorCode]),
      [
        [memberIds[1], GroupErrorCode.NONE],
        ['ghost', GroupErrorCode.UNKNOWN_MEMBER_ID],
        [memberIds[2], GroupErrorCode.NONE],
      ],
    );
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    const rejoin = watch(coordinator.joinGroup(joinRequest({ memberId: memberIds[0]! })));
    await clock.advance(0);
    assert.equal(rejoin.value!.generationId, generationId + 1);
    assert.equal(rejoin.value!.members.length, 1);
    await coordinator.syncGroup({
      groupId: 'g',
      generationId: generationId + 1,
      memberId: memberIds[0]!,
      assignments: [],
    });

    const last = await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[0]! }] });
    assert.equal(last.members[0]!.errorCode, GroupErrorCode.NONE);
    assert.equal(coordinator.groupState('g'), 'Empty');
    const [described] = await coordinator.describeGroups(['g']);
    assert.equal(described!.members.length, 0);

    const unknownGroup = await coordinator.leaveGroup({ groupId: 'nope', members: [{ memberId: 'x' }] });
    assert.equal(unknownGroup.errorCode, GroupErrorCode.NONE);
    assert.equal(unknownGroup.members[0]!.errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a member leaving mid-join lets the join phase complete for the others', async () => {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const { memberIds } = await stableGroup(harness, 2);
    const rejoin = watch(coordinator.joinGroup(joinRequest({ memberId: memberIds[0]! })));
    await clock.advance(0);
    assert.equal(rejoin.done, false);
    await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: memberIds[1]! }] });
    await clock.advance(0);
    assert.ok(rejoin.done);
    assert.equal(rejoin.value!.members.length, 1);
  });
});

describe('static membership (KIP-345)', () => {
  async function staticGroup() {
    const harness = await setup();
    const { clock, coordinator } = harness;
    const joins = ['i-1', 'i-2'].map((groupInstanceId) =>
      coordinator.joinGroup(joinRequest({ groupInstanceId, clientId: groupInstanceId })),
    );
    await clock.advance(0);
    const [first, second] = await Promise.all(joins);
    assert.match(first!.memberId, /^i-1-/, 'static member ids start with the instance id');
    const assignments = [first!, second!].map((join, index) => ({
      memberId: join.memberId,
      assignment: Buffer.from(`a${index}`),
    }));
    const syncs = [first!, second!].map((join) =>
      coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: join.memberId,
        groupInstanceId: join.memberId === first!.memberId ? 'i-1' : 'i-2',
        assignments: join.memberId === first!.leader ? assignments : [],
      }),
    );
    await Promise.all(syncs);
    return { ...harness, leaderId: first!.memberId, followerId: second!.memberId };
  }

  test('a restarted static member replaces its old id without a rebalance; the old id is fenced', async () => {
    const { coordinator, clock, leaderId, followerId } = await staticGroup();
    const rejoin = await coordinator.joinGroup(joinRequest({ groupInstanceId: 'i-2', clientId: 'i-2' }));
    assert.equal(rejoin.errorCode, GroupErrorCode.NONE);
    assert.notEqual(rejoin.memberId, followerId);
    assert.equal(rejoin.generationId, 1, 'no new generation');
    assert.equal(rejoin.leader, leaderId);
    assert.equal(coordinator.groupState('g'), 'Stable');
    const sync = await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: rejoin.memberId,
      groupInstanceId: 'i-2',
      assignments: [],
    });
    assert.equal(sync.assignment.toString(), 'a1', 'the replacement keeps the assignment');
    const fenced = await coordinator.heartbeat({
      groupId: 'g',
      generationId: 1,
      memberId: followerId,
      groupInstanceId: 'i-2',
    });
    assert.equal(fenced, GroupErrorCode.FENCED_INSTANCE_ID);
    const fencedJoin = await coordinator.joinGroup(
      joinRequest({ memberId: followerId, groupInstanceId: 'i-2' }),
    );
    assert.equal(fencedJoin.errorCode, GroupErrorCode.FENCED_INSTANCE_ID);
    const fencedLeave = await coordinator.leaveGroup({
      groupId: 'g',
      members: [{ memberId: followerId, groupInstanceId: 'i-2' }],
    });
    assert.equal(fencedLeave.members[0]!.errorCode, GroupErrorCode.FENCED_INSTANCE_ID);
    await clock.advance(0);
    assert.equal(coordinator.groupState('g'), 'Stable');
  });

  test('a restarted static leader is told to skip assignment on JoinGroup v9+', async () => {
    const { coordinator, leaderId } = await staticGroup();
    const old = await coordinator.joinGroup(joinRequest({ groupInstanceId: 'i-1', clientId: 'i-1' }));
    assert.equal(old.leader, leaderId, 'before v9 the old leader id is returned');
    assert.equal(old.skipAssignment, false);
    const v9 = await coordinator.joinGroup(
      joinRequest({ groupInstanceId: 'i-1', clientId: 'i-1', supportSkippingAssignment: true }),
    );
    assert.equal(v9.leader, v9.memberId);
    assert.equal(v9.skipAssignment, true);
    assert.equal(v9.members.length, 2);
  });

  test('a static member rejoining changes nothing unless the protocol choice changes', async () => {
    const { coordinator, clock } = await setup();
    const offer = protocols('range', 'roundrobin');
    const first = watch(coordinator.joinGroup(joinRequest({ groupInstanceId: 'solo', protocols: offer })));
    await clock.advance(0);
    const memberId = first.value!.memberId;
    assert.equal(first.value!.protocolName, 'range');
    await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId,
      groupInstanceId: 'solo',
      assignments: [],
    });
    // New metadata bytes, same choice: still no rebalance.
    const sameChoice = await coordinator.joinGroup(
      joinRequest({
        groupInstanceId: 'solo',
        protocols: [
          { name: 'range', metadata: Buffer.from('v2') },
          { name: 'roundrobin', metadata: Buffer.from('v2') },
        ],
      }),
    );
    assert.equal(sameChoice.errorCode, GroupErrorCode.NONE);
    assert.equal(coordinator.groupState('g'), 'Stable');
    const changed = watch(
      coordinator.joinGroup(joinRequest({ groupInstanceId: 'solo', protocols: protocols('roundrobin') })),
    );
    await clock.advance(0);
    assert.ok(changed.done);
    assert.equal(changed.value!.generationId, 2, 'the group rebalanced');
    assert.equal(changed.value!.protocolName, 'roundrobin');
  });

  test('a static member that does not rejoin stays until its session expires; it can be removed by instance id', async () => {
    const { coordinator, clock, leaderId, followerId } = await staticGroup();
    const rejoin = watch(coordinator.joinGroup(joinRequest({ memberId: leaderId, groupInstanceId: 'i-1' })));
    // i-2 keeps its session alive with heartbeats but does not rejoin.
    for (let elapsed = 0; elapsed < REBALANCE_MS; elapsed += 5000) {
      await clock.advance(5000);
      if (!rejoin.done) await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: followerId });
    }
    assert.ok(rejoin.done, 'rebalance completed at the timeout');
    assert.equal(rejoin.value!.members.length, 2, 'the silent static member is kept');
    const leave = await coordinator.leaveGroup({
      groupId: 'g',
      members: [{ memberId: '', groupInstanceId: 'i-2' }],
    });
    assert.equal(leave.members[0]!.errorCode, GroupErrorCode.NONE);
    const gone = await coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: followerId });
    assert.equal(gone, GroupErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a static member replaced while its join is parked gets FENCED_INSTANCE_ID', async () => {
    const { coordinator, clock, leaderId, followerId } = await staticGroup();
    const newcomer = watch(coordinator.joinGroup(joinRequest({ groupInstanceId: 'i-3' })));
    const parked = watch(
      coordinator.joinGroup(joinRequest({ memberId: followerId, groupInstanceId: 'i-2' })),
    );
    await clock.advance(0);
    assert.equal(parked.done, false);
    const replacement = watch(coordinator.joinGroup(joinRequest({ groupInstanceId: 'i-2' })));
    await clock.advance(0);
    assert.equal(parked.value!.errorCode, GroupErrorCode.FENCED_INSTANCE_ID);
    assert.equal(replacement.done, false);
    assert.equal(newcomer.done, false);
    const leaderRejoin = watch(
      coordinator.joinGroup(joinRequest({ memberId: leaderId, groupInstanceId: 'i-1' })),
    );
    await clock.advance(0);
    assert.ok(leaderRejoin.done && replacement.done && newcomer.done);
    assert.equal(replacement.value!.generationId, 2);
    assert.deepEqual(leaderRejoin.value!.members.map((member) => member.groupInstanceId).sort(), [
      'i-1',
      'i-2',
      'i-3',
    ]);
  });
});
