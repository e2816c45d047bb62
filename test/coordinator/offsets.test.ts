import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupErrorCode } from '../../src/coordinator/group/index.js';
import {
  type CoordinatorRecord,
  type GroupStorage,
  InMemoryGroupStorage,
} from '../../src/coordinator/offsets/group-storage.js';
import { computeLag } from '../../src/coordinator/offsets/lag.js';
import type { OffsetCommitRequest } from '../../src/coordinator/offsets/types.js';
import { joinRequest, setup, stableGroup, subscription, watch } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

function commit(
  groupId: string,
  generation: number,
  memberId: string,
  offsets: Record<string, number>,
  extra = {},
) {
  const topics = new Map<string, { partitionIndex: number; committedOffset: number }[]>();
  for (const [key, committedOffset] of Object.entries(offsets)) {
    const [name, partition] = key.split(':') as [string, string];
    if (!topics.has(name)) topics.set(name, []);
    topics.get(name)!.push({ partitionIndex: Number(partition), committedOffset });
  }
  const request: OffsetCommitRequest = {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    ...extra,
  };
  return request;
}

function errors(response: { topics: { partitions: { errorCode: number }[] }[] }): number[] {
  return response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode));
}

/** Holds appends until released, to observe commits in flight. */
class GatedStorage implements GroupStorage {
  readonly inner = new InMemoryGroupStorage();
  private gate: (() => void) | null = null;
  private closed = false;
  hold(): void {
    this.closed = true;
  }
  release(): void {
    this.closed = false;
    this.gate?.();
    this.gate = null;
  }
  async append(records: CoordinatorRecord[], groupId: string): Promise<void> {
    if (this.closed) await new Promise<void>((resolve) => (this.gate = resolve));
    return this.inner.append(records, groupId);
  }
  load() {
    return this.inner.load();
  }
}

describe('OffsetCommit / OffsetFetch', () => {
  test('a consumer outside group management commits to an unknown or Empty group', async () => {
    const { coordinator } = await setup();
    const response = await coordinator.offsets.commitOffsets(
      commit('simple', -1, '', { 't:0': 10, 't:1': 20, 'u:0': 5 }),
    );
    assert.deepEqual(errors(response), [0, 0, 0]);
    assert.equal(coordinator.groupState('simple'), 'Empty');
    const fetched = coordinator.offsets.fetchOffsets('simple', [{ name: 't', partitionIndexes: [1, 2] }]);
    assert.deepEqual(fetched, {
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
    const all = coordinator.offsets.fetchOffsets('simple', null);
    assert.deepEqual(
      all.topics.map((topic) => [topic.name, topic.partitions.map((partition) => partition.committedOffset)]),
      [
        ['t', [10, 20]],
        ['u', [5]],
      ],
    );
    const unknown = coordinator.offsets.fetchOffsets('nobody', [{ name: 't', partitionIndexes: [0] }]);
    assert.equal(unknown.topics[0]!.partitions[0]!.committedOffset, -1);
    assert.deepEqual(coordinator.offsets.fetchOffsets('nobody', null).topics, []);
  });

  test('membership checks: generation, member id, anonymous commits to a live group, rebalance phases', async () => {
    const harness = await setup();
    const { coordinator, clock } = harness;
    const { memberIds, generationId } = await stableGroup(harness, 2);
    const [a, b] = memberIds as [string, string];
    const offsets = coordinator.offsets;
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', generationId, a, { 't:0': 1 }))), [0]);
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', generationId - 1, a, { 't:0': 2 }))), [
      GroupErrorCode.ILLEGAL_GENERATION,
    ]);
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', generationId, 'ghost', { 't:0': 2 }))), [
      GroupErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', -1, '', { 't:0': 2 }))), [
      GroupErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(errors(await offsets.commitOffsets(commit('gone', 3, 'm', { 't:0': 2 }))), [
      GroupErrorCode.ILLEGAL_GENERATION,
    ]);

    // PreparingRebalance: members of the current generation may still commit.
    void coordinator.joinGroup(joinRequest({ clientId: 'newcomer' }));
    await clock.advance(0);
    assert.equal(coordinator.groupState('g'), 'PreparingRebalance');
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', generationId, b, { 't:1': 7 }))), [0]);

    // CompletingRebalance: the member must finish the rebalance first.
    const rejoins = [a, b].map((memberId) => coordinator.joinGroup(joinRequest({ memberId })));
    await clock.advance(0);
    await Promise.all(rejoins);
    assert.equal(coordinator.groupState('g'), 'CompletingRebalance');
    assert.deepEqual(errors(await offsets.commitOffsets(commit('g', generationId + 1, a, { 't:0': 3 }))), [
      GroupErrorCode.REBALANCE_IN_PROGRESS,
    ]);
    const fetched = offsets.fetchOffsets('g', [{ name: 't', partitionIndexes: [0, 1] }]);
    assert.deepEqual(
      fetched.topics[0]!.partitions.map((partition) => partition.committedOffset),
      [1, 7],
    );
  });

  test('leader epoch and metadata are kept; oversized metadata fails only its partition', async () => {
    const { coordinator } = await setup({ offsetMetadataMaxBytes: 8 });
    const response = await coordinator.offsets.commitOffsets({
      groupId: 'simple',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 4, committedMetadata: 'ok' },
            { partitionIndex: 1, committedOffset: 200, committedMetadata: 'much too long' },
          ],
        },
      ],
    });
    assert.deepEqual(errors(response), [GroupErrorCode.NONE, GroupErrorCode.OFFSET_METADATA_TOO_LARGE]);
    const fetched = coordinator.offsets.fetchOffsets('simple', [{ name: 't', partitionIndexes: [0, 1] }]);
    assert.deepEqual(fetched.topics[0]!.partitions, [
      { partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 4, metadata: 'ok', errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
  });

  test('requireStable reports UNSTABLE_OFFSET_COMMIT while a commit is being written', async () => {
    const storage = new GatedStorage();
    const { coordinator } = await setup({}, storage);
    await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 1 }));
    storage.hold();
    const inFlight = watch(coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 2 })));
    await new Promise((resolve) => setImmediate(resolve));
    const wanted = [{ name: 't', partitionIndexes: [0] }];
    assert.equal(
      coordinator.offsets.fetchOffsets('simple', wanted, true).topics[0]!.partitions[0]!.errorCode,
      GroupErrorCode.UNSTABLE_OFFSET_COMMIT,
    );
    assert.equal(
      coordinator.offsets.fetchOffsets('simple', wanted, false).topics[0]!.partitions[0]!.committedOffset,
      1,
    );
    storage.release();
    await inFlight.promise;
    const stable = coordinator.offsets.fetchOffsets('simple', wanted, true).topics[0]!.partitions[0]!;
    assert.equal(stable.errorCode, 0);
    assert.equal(stable.committedOffset, 2);
  });

  test('a failed append reports the mapped error and keeps the old offset', async () => {
    const { coordinator, storage } = await setup();
    await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 1 }));
    storage.failNext(10); // MESSAGE_TOO_LARGE
    const response = await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 9 }));
    assert.deepEqual(errors(response), [GroupErrorCode.INVALID_COMMIT_OFFSET_SIZE]);
    storage.failNext(6); // NOT_LEADER_OR_FOLLOWER
    assert.deepEqual(
      errors(await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 9 }))),
      [GroupErrorCode.NOT_COORDINATOR],
    );
    const fetched = coordinator.offsets.fetchOffsets('simple', [{ name: 't', partitionIndexes: [0] }]);
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 1);
  });
});

describe('OffsetDelete', () => {
  test('subscribed topics of an active consumer group are protected; Empty groups may delete anything', async () => {
    const harness = await setup();
    const { coordinator, clock } = harness;
    const join = watch(
      coordinator.joinGroup(joinRequest({ protocols: [{ name: 'range', metadata: subscription('t1') }] })),
    );
    await clock.advance(0);
    const { memberId, generationId } = join.value!;
    await coordinator.syncGroup({ groupId: 'g', generationId, memberId, assignments: [] });
    await coordinator.offsets.commitOffsets(commit('g', generationId, memberId, { 't1:0': 1, 't2:0': 2 }));
    const response = await coordinator.offsets.deleteOffsets('g', [
      { name: 't1', partitions: [{ partitionIndex: 0 }] },
      { name: 't2', partitions: [{ partitionIndex: 0 }] },
    ]);
    assert.equal(response.errorCode, 0);
    assert.deepEqual(errors(response), [GroupErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, GroupErrorCode.NONE]);
    const fetched = coordinator.offsets.fetchOffsets('g', null);
    assert.deepEqual(
      fetched.topics.map((topic) => topic.name),
      ['t1'],
    );
    assert.equal(
      (await coordinator.offsets.deleteOffsets('nope', [])).errorCode,
      GroupErrorCode.GROUP_ID_NOT_FOUND,
    );
    await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId }] });
    const emptied = await coordinator.offsets.deleteOffsets('g', [
      { name: 't1', partitions: [{ partitionIndex: 0 }] },
    ]);
    assert.deepEqual(errors(emptied), [0]);
    assert.deepEqual(coordinator.offsets.fetchOffsets('g', null).topics, []);
  });
});

describe('offset expiry', () => {
  test('offsets of a group expire once it has been Empty for the retention period; then the group goes', async () => {
    const { coordinator, clock, storage } = await setup({
      offsetsRetentionMs: 7 * DAY,
      offsetsRetentionCheckIntervalMs: DAY,
      groupMaxSessionTimeoutMs: 3 * DAY,
    });
    const join = watch(coordinator.joinGroup(joinRequest({ sessionTimeoutMs: 2 * DAY })));
    await clock.advance(0);
    const { memberId, generationId } = join.value!;
    await coordinator.syncGroup({ groupId: 'g', generationId, memberId, assignments: [] });
    await coordinator.offsets.commitOffsets(commit('g', generationId, memberId, { 't1:0': 1 }));
    // Stable and subscribed: old offsets are kept however long the group lives.
    for (let day = 0; day < 10; day++) {
      await clock.advance(DAY);
      assert.equal(await coordinator.heartbeat({ groupId: 'g', generationId, memberId }), 0);
    }
    assert.equal(coordinator.offsets.fetchOffsets('g', null).topics.length, 1);
    await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId }] });
    assert.equal(coordinator.groupState('g'), 'Empty');
    await clock.advance(6 * DAY);
    assert.equal(
      coordinator.offsets.fetchOffsets('g', null).topics.length,
      1,
      'kept for the retention period',
    );
    await clock.advance(DAY);
    assert.deepEqual(coordinator.offsets.fetchOffsets('g', null).topics, [], 'expired by the periodic check');
    assert.equal(coordinator.groupState('g'), 'Dead');
    assert.deepEqual((await coordinator.listGroups()).groups, []);
    const last = storage.records.at(-1)!;
    assert.equal(last.value, null, 'a group tombstone closes the log');
  });

  test('a consumer outside group management: each offset expires from its commit', async () => {
    const { coordinator, clock } = await setup({
      offsetsRetentionMs: 7 * DAY,
      offsetsRetentionCheckIntervalMs: 365 * DAY,
    });
    await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:0': 1 }));
    await clock.advance(3 * DAY);
    await coordinator.offsets.commitOffsets(commit('simple', -1, '', { 't:1': 1 }));
    await clock.advance(4 * DAY);
    assert.equal(await coordinator.offsets.expireOffsets(), 1);
    const left = coordinator.offsets.fetchOffsets('simple', null);
    assert.deepEqual(
      left.topics[0]!.partitions.map((partition) => partition.partitionIndex),
      [1],
    );
    // An explicit retention (OffsetCommit v2-v4) overrides the broker's.
    await coordinator.offsets.commitOffsets(
      commit('simple', -1, '', { 'x:0': 1 }, { retentionTimeMs: 1000 }),
    );
    await clock.advance(1000);
    assert.equal(await coordinator.offsets.expireOffsets(), 1);
  });

  test('a Stable consumer group loses offsets of topics it no longer subscribes to', async () => {
    const { coordinator, clock } = await setup({
      offsetsRetentionMs: DAY,
      offsetsRetentionCheckIntervalMs: 365 * DAY,
      groupMaxSessionTimeoutMs: 3 * DAY,
    });
    const join = watch(
      coordinator.joinGroup(
        joinRequest({
          sessionTimeoutMs: 2 * DAY,
          protocols: [{ name: 'range', metadata: subscription('t1') }],
        }),
      ),
    );
    await clock.advance(0);
    const { memberId, generationId } = join.value!;
    await coordinator.syncGroup({ groupId: 'g', generationId, memberId, assignments: [] });
    await coordinator.offsets.commitOffsets(commit('g', generationId, memberId, { 't1:0': 1, 'old:0': 2 }));
    await clock.advance(DAY);
    await coordinator.heartbeat({ groupId: 'g', generationId, memberId });
    assert.equal(await coordinator.offsets.expireOffsets(), 1);
    assert.deepEqual(
      coordinator.offsets.fetchOffsets('g', null).topics.map((topic) => topic.name),
      ['t1'],
    );
  });
});

describe('computeLag', () => {
  test('lag is the distance to the high watermark; unknown without a committed offset', () => {
    assert.equal(computeLag(90, 100), 10);
    assert.equal(computeLag(100, 100), 0);
    assert.equal(computeLag(120, 100), 0);
    assert.equal(computeLag(-1, 100), null);
  });
});
