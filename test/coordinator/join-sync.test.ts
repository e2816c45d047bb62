import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupErrorCode } from '../../src/coordinator/group/index.js';
import {
  joinRequest,
  protocols,
  REBALANCE_MS,
  SESSION_MS,
  setup,
  stableGroup,
  subscription,
  watch,
} from './helpers.js';

describe('JoinGroup', () => {
  test('member id required handshake (KIP-394)', async () => {
    const { clock, coordinator } = await setup();
    const first = await coordinator.joinGroup(joinRequest({ requireKnownMemberId: true, clientId: 'app' }));
    assert.equal(first.errorCode, GroupErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^app-[0-9a-f-]{36}$/);
    assert.equal(first.generationId, -1);
    assert.equal(coordinator.groupState('g'), 'Empty');

    const second = watch(
      coordinator.joinGroup(joinRequest({ requireKnownMemberId: true, memberId: first.memberId })),
    );
    await clock.advance(0);
    assert.ok(second.done);
    assert.equal(second.value!.errorCode, GroupErrorCode.NONE);
    assert.equal(second.value!.memberId, first.memberId);
    assert.equal(second.value!.generationId, 1);
    assert.equal(second.value!.leader, first.memberId);
    assert.equal(second.value!.protocolName, 'range');
    assert.equal(coordinator.groupState('g'), 'CompletingRebalance');
  });

  test('a pending member that never comes back is forgotten after its session timeout', async () => {
    const { clock, coordinator } = await setup();
    const first = await coordinator.joinGroup(joinRequest({ requireKnownMemberId: true }));
    await clock.advance(SESSION_MS);
    const late = await coordinator.joinGroup(
      joinRequest({ requireKnownMemberId: true, memberId: first.memberId }),
    );
    assert.equal(late.errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a rebalance waits for a pending member to complete its join', async () => {
    const { clock, coordinator } = await setup();
    const { memberIds } = await stableGroup({ clock, coordinator, storage: undefined as never }, 1);
    const newcomer = await coordinator.joinGroup(joinRequest({ requireKnownMemberId: true }));
    assert.equal(newcomer.errorCode, GroupErrorCode.MEMBER_ID_REQUIRED);
    // The pending member does not trigger a rebalance by itself; the existing member may rejoin
    // (as leader) and the join phase then waits for the pending one.
    const leaderRejoin = watch(coordinator.joinGroup(joinRequest({ memberId: memberIds[0]! })));
    await clock.advance(0);
    assert.equal(leaderRejoin.done, false);
    const second = watch(
      coordinator.joinGroup(joinRequest({ memberId: newcomer.memberId, requireKnownMemberId: true })),
    );
    await clock.advance(0);
    assert.ok(leaderRejoin.done && second.done);
    assert.equal(second.value!.generationId, 2);
    assert.equal(leaderRejoin.value!.members.length, 2);
  });

  test('three members: the leader gets every member metadata, sync hands each its assignment', async () => {
    const { clock, coordinator } = await setup({ groupInitialRebalanceDelayMs: 3000 });
    const metadata = [subscription('a'), subscription('b'), subscription('a', 'b')];
    const joins = metadata.map((meta, index) =>
      watch(
        coordinator.joinGroup(
          joinRequest({ clientId: `c${index}`, protocols: [{ name: 'range', metadata: meta }] }),
        ),
      ),
    );
    await clock.advance(2999);
    assert.ok(
      joins.every((join) => !join.done),
      'the initial delay holds the join',
    );
    // Members arrived during the delay, so it is extended once more (to 6000ms).
    await clock.advance(3000);
    assert.ok(
      joins.every((join) => !join.done),
      'extended while members arrive',
    );
    await clock.advance(1);
    assert.ok(
      joins.every((join) => join.done),
      'completed after the extension',
    );
    const responses = joins.map((join) => join.value!);
    const leader = responses[0]!.leader;
    assert.equal(leader, responses[0]!.memberId, 'the first member leads');
    for (const response of responses) {
      assert.equal(response.errorCode, GroupErrorCode.NONE);
      assert.equal(response.generationId, 1);
      assert.equal(response.leader, leader);
      assert.equal(response.protocolType, 'consumer');
      assert.equal(response.protocolName, 'range');
    }
    assert.deepEqual(
      responses[0]!.members.map((member) => [member.memberId, member.metadata]),
      responses.map((response, index) => [response.memberId, metadata[index]]),
    );
    assert.deepEqual(responses[1]!.members, []);
    assert.deepEqual(responses[2]!.members, []);

    const follower = watch(
      coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: responses[1]!.memberId,
        assignments: [],
      }),
    );
    await clock.advance(0);
    assert.equal(follower.done, false, 'followers wait for the leader');
    assert.equal(coordinator.groupState('g'), 'CompletingRebalance');
    const leaderSync = await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: responses.map((response, index) => ({
        memberId: response.memberId,
        assignment: Buffer.from(`part-${index}`),
      })),
    });
    assert.equal(leaderSync.errorCode, GroupErrorCode.NONE);
    assert.equal(leaderSync.assignment.toString(), 'part-0');
    const followerSync = await follower.promise;
    assert.equal(followerSync.errorCode, GroupErrorCode.NONE);
    assert.equal(followerSync.assignment.toString(), 'part-1');
    assert.equal(followerSync.protocolName, 'range');
    assert.equal(coordinator.groupState('g'), 'Stable');
    const late = await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: responses[2]!.memberId,
      assignments: [],
    });
    assert.equal(late.assignment.toString(), 'part-2', 'a sync after Stable gets the stored assignment');
  });

  test('initial rebalance delay: a lone member waits exactly the delay; extensions stop at the rebalance timeout', async () => {
    const { clock, coordinator } = await setup({ groupInitialRebalanceDelayMs: 3000 });
    const lone = watch(coordinator.joinGroup(joinRequest({ groupId: 'lone' })));
    await clock.advance(2999);
    assert.equal(lone.done, false);
    await clock.advance(1);
    assert.equal(lone.value!.errorCode, GroupErrorCode.NONE);

    const first = watch(coordinator.joinGroup(joinRequest({ groupId: 'busy', rebalanceTimeoutMs: 7000 })));
    // A new member every 2.5s would extend the delay forever; the rebalance timeout caps it.
    for (let i = 0; i < 4; i++) {
      await clock.advance(2500);
      void coordinator.joinGroup(joinRequest({ groupId: 'busy', rebalanceTimeoutMs: 7000 }));
    }
    assert.ok(first.done, 'completed by the rebalance timeout');
    assert.equal(first.value!.generationId, 1);
  });

  test('protocol selection by vote among the protocols every member supports', async () => {
    const { clock, coordinator } = await setup();
    const joins = [
      protocols('range', 'roundrobin', 'sticky'),
      protocols('roundrobin', 'range'),
      protocols('sticky', 'roundrobin', 'range'),
    ].map((offer) => coordinator.joinGroup(joinRequest({ protocols: offer })));
    await clock.advance(0);
    const responses = await Promise.all(joins);
    // sticky is not supported by the second member; votes: range, roundrobin, roundrobin.
    assert.ok(responses.every((response) => response.protocolName === 'roundrobin'));

    const single = [protocols('b', 'a'), protocols('a', 'b')].map((offer) =>
      coordinator.joinGroup(joinRequest({ groupId: 'tie', protocols: offer })),
    );
    await clock.advance(0);
    const tie = await Promise.all(single);
    assert.equal(tie[0]!.protocolName, 'b', 'a tie goes to the earliest vote');
  });

  test('inconsistent protocol type or protocols', async () => {
    const harness = await setup();
    const { coordinator } = harness;
    await stableGroup(harness, 2);
    const otherType = await coordinator.joinGroup(joinRequest({ protocolType: 'connect' }));
    assert.equal(otherType.errorCode, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noCommon = await coordinator.joinGroup(joinRequest({ protocols: protocols('sticky') }));
    assert.equal(noCommon.errorCode, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const none = await coordinator.joinGroup(joinRequest({ groupId: 'fresh', protocols: [] }));
    assert.equal(none.errorCode, GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(coordinator.groupState('fresh'), 'Dead', 'a failed first join leaves no group behind');
    assert.equal(coordinator.groupState('g'), 'Stable');
  });

  test('session timeout bounds and invalid group ids', async () => {
    const { coordinator } = await setup({ groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 60_000 });
    for (const sessionTimeoutMs of [5999, 60_001]) {
      const response = await coordinator.joinGroup(joinRequest({ sessionTimeoutMs }));
      assert.equal(response.errorCode, GroupErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const empty = await coordinator.joinGroup(joinRequest({ groupId: '' }));
    assert.equal(empty.errorCode, GroupErrorCode.INVALID_GROUP_ID);
  });

  test('group.max.size turns away the member beyond the limit', async () => {
    const { clock, coordinator } = await setup({ groupMaxSize: 2 });
    const joins = [0, 1, 2].map((index) =>
      watch(coordinator.joinGroup(joinRequest({ clientId: `c${index}` }))),
    );
    await clock.advance(0);
    assert.equal(joins[2]!.value!.errorCode, GroupErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(joins[0]!.value!.errorCode, GroupErrorCode.NONE);
    assert.equal(joins[0]!.value!.members.length, 2);
    const another = await coordinator.joinGroup(joinRequest());
    assert.equal(another.errorCode, GroupErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  test('a known member rejoining with unknown id or a nonexistent group gets UNKNOWN_MEMBER_ID', async () => {
    const harness = await setup();
    await stableGroup(harness, 1);
    const unknown = await harness.coordinator.joinGroup(joinRequest({ memberId: 'nobody' }));
    assert.equal(unknown.errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
    const noGroup = await harness.coordinator.joinGroup(
      joinRequest({ groupId: 'other', memberId: 'nobody' }),
    );
    assert.equal(noGroup.errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a follower rejoining a Stable group with the same metadata gets the current generation', async () => {
    const harness = await setup();
    const { memberIds, generationId } = await stableGroup(harness, 2);
    const again = await harness.coordinator.joinGroup(joinRequest({ memberId: memberIds[1]! }));
    assert.equal(again.errorCode, GroupErrorCode.NONE);
    assert.equal(again.generationId, generationId);
    assert.equal(harness.coordinator.groupState('g'), 'Stable');
  });
});

describe('SyncGroup', () => {
  test('wrong generation, unknown member, inconsistent protocol, rebalance in progress', async () => {
    const harness = await setup();
    const { coordinator, clock } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 2);
    const sync = (overrides: object) =>
      coordinator.syncGroup({
        groupId: 'g',
        generationId,
        memberId: memberIds[1]!,
        assignments: [],
        ...overrides,
      });
    assert.equal(
      (await sync({ generationId: generationId - 1 })).errorCode,
      GroupErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal((await sync({ memberId: 'ghost' })).errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((await sync({ groupId: 'nope' })).errorCode, GroupErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      (await sync({ protocolType: 'connect' })).errorCode,
      GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await sync({ protocolName: 'sticky' })).errorCode,
      GroupErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    void coordinator.joinGroup(joinRequest({ clientId: 'newcomer' }));
    await clock.advance(0);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    assert.equal((await sync({})).errorCode, GroupErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('a member that never syncs is removed after the rebalance timeout and the group rebalances', async () => {
    const { clock, coordinator } = await setup();
    const joins = [0, 1].map((index) => coordinator.joinGroup(joinRequest({ clientId: `c${index}` })));
    await clock.advance(0);
    const [leader, follower] = await Promise.all(joins);
    const leaderSync = await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader!.memberId,
      assignments: [{ memberId: leader!.memberId, assignment: Buffer.from('x') }],
    });
    assert.equal(leaderSync.errorCode, GroupErrorCode.NONE);
    // Keep the leader's session alive, the follower never syncs.
    for (let elapsed = 0; elapsed < REBALANCE_MS; elapsed += 5000) {
      await clock.advance(5000);
      await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: leader!.memberId });
    }
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    const gone = await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: follower!.memberId });
    assert.equal(gone, GroupErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a failed write of the assignment fails the sync and restarts the rebalance', async () => {
    const harness = await setup();
    const { clock, coordinator, storage } = harness;
    const joins = [0, 1].map((index) => coordinator.joinGroup(joinRequest({ clientId: `c${index}` })));
    await clock.advance(0);
    const [leader, follower] = await Promise.all(joins);
    const followerSync = coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: follower!.memberId,
      assignments: [],
    });
    storage.failNext(6); // NOT_LEADER_OR_FOLLOWER
    const leaderSync = await coordinator.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: leader!.memberId,
      assignments: [],
    });
    assert.equal(leaderSync.errorCode, GroupErrorCode.NOT_COORDINATOR);
    assert.equal((await followerSync).errorCode, GroupErrorCode.NOT_COORDINATOR);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
  });
});
