import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/coordinator/clock.js';
import {
  type ConsumerGroupConfig,
  ConsumerGroupCoordinator,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type TopicPartitions,
  type TopicsView,
} from '../../../src/coordinator/consumer-group/index.js';
import type { ConsumerGroupRegistry } from '../../../src/coordinator/group/consumer-groups.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';

const SESSION_MS = 45_000;

class Topics implements TopicsView {
  readonly topics = new Map<string, { topicId: string; partitionCount: number }>();
  add(name: string, partitionCount: number): void {
    this.topics.set(name, { topicId: `id-${name}`, partitionCount });
  }
  topic(name: string) {
    return this.topics.get(name);
  }
  topicName(topicId: string) {
    return [...this.topics].find(([, topic]) => topic.topicId === topicId)?.[0];
  }
  topicNames() {
    return [...this.topics.keys()];
  }
}

function setup(config: Partial<ConsumerGroupConfig> = {}) {
  const clock = new ManualClock();
  const topics = new Topics();
  topics.add('t', 6);
  const classicMembers = new Set<string>();
  let registry: ConsumerGroupRegistry | null = null;
  const coordinator = new ConsumerGroupCoordinator({
    classic: {
      validateGroupRequest: (groupId) => (groupId === '' ? ErrorCode.INVALID_GROUP_ID : null),
      hasClassicMembers: (groupId) => classicMembers.has(groupId),
      attachConsumerGroups: (attached) => {
        registry = attached;
      },
    },
    topics: () => topics,
    config,
    scheduler: clock,
  });
  assert.ok(registry);
  return { clock, topics, coordinator, classicMembers };
}

function request(overrides: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
  return {
    apiVersion: 1,
    groupId: 'g',
    memberId: 'm',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...overrides,
  };
}

/** A member as a client runs it: it owns what it was last given, and heartbeats with its epoch. */
class Member {
  epoch = 0;
  owned: TopicPartitions[] = [];
  last!: ConsumerGroupHeartbeatResponse;
  constructor(
    private readonly coordinator: ConsumerGroupCoordinator,
    readonly id: string,
    private readonly extra: Partial<ConsumerGroupHeartbeatRequest> = {},
  ) {}

  heartbeat(overrides: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatResponse {
    const response = this.coordinator.heartbeat(
      request({
        memberId: this.id,
        memberEpoch: this.epoch,
        topicPartitions: this.owned,
        ...this.extra,
        ...overrides,
      }),
    );
    this.last = response;
    if (response.errorCode === 0) {
      this.epoch = response.memberEpoch;
      if (response.assignment) this.owned = response.assignment;
    }
    return response;
  }

  partitions(): number[] {
    return this.owned.flatMap((tp) => tp.partitions).sort((a, b) => a - b);
  }
}

describe('ConsumerGroupCoordinator', () => {
  it('a first member gets every partition at epoch 1; a second one gets its share only once revoked', () => {
    const { coordinator } = setup();
    const a = new Member(coordinator, 'a');
    assert.equal(a.heartbeat().errorCode, 0);
    assert.equal(a.epoch, 1);
    assert.deepEqual(a.partitions(), [0, 1, 2, 3, 4, 5]);
    assert.equal(coordinator.describe(['g'])[0]!.groupState, 'Stable');

    const b = new Member(coordinator, 'b');
    b.heartbeat();
    assert.equal(b.epoch, 2, 'b is at the new target epoch');
    assert.deepEqual(b.partitions(), [], 'but its partitions are still owned by a');
    assert.equal(coordinator.describe(['g'])[0]!.groupState, 'Reconciling');

    a.heartbeat();
    assert.equal(a.epoch, 1, 'a keeps its epoch while revoking');
    assert.deepEqual(a.partitions(), [0, 1, 2]);
    b.heartbeat();
    assert.deepEqual(b.partitions(), [], 'a has not confirmed the revocation yet');

    a.heartbeat(); // now reports owning only 0-2
    assert.equal(a.epoch, 2);
    b.heartbeat();
    assert.deepEqual(b.partitions(), [3, 4, 5]);
    const described = coordinator.describe(['g'])[0]!;
    assert.equal(described.groupState, 'Stable');
    assert.equal(described.groupEpoch, 2);
    assert.equal(described.assignmentEpoch, 2);
    assert.equal(described.assignorName, 'uniform');
  });

  it('a leaving member’s partitions go to the others; offsets checks follow member epochs', () => {
    const { coordinator } = setup();
    const [a, b] = [new Member(coordinator, 'a'), new Member(coordinator, 'b')];
    a.heartbeat();
    b.heartbeat();
    a.heartbeat();
    a.heartbeat();
    b.heartbeat();
    const group = coordinator.get('g')!;
    assert.equal(group.validateOffsetCommit('a', a.epoch), null);
    assert.equal(group.validateOffsetCommit('a', a.epoch - 1), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(group.validateOffsetCommit('x', 1), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      group.validateOffsetCommit('', -1),
      ErrorCode.UNKNOWN_MEMBER_ID,
      'anonymous commits need an empty group',
    );
    assert.equal(group.validateOffsetFetch(null, -1), null, 'admin fetch');

    const left = b.heartbeat({ memberEpoch: -1 });
    assert.equal(left.memberEpoch, -1);
    a.heartbeat();
    assert.deepEqual(a.partitions(), [0, 1, 2, 3, 4, 5]);
    b.heartbeat({ memberEpoch: -1 });
    assert.equal(b.last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

    a.heartbeat({ memberEpoch: -1 });
    assert.equal(coordinator.describe(['g'])[0]!.groupState, 'Empty');
    assert.equal(group.validateOffsetCommit('', -1), null);
  });

  it('fences stale and future epochs, accepts the previous epoch when its answer may have been lost', () => {
    const { coordinator } = setup();
    const [a, b] = [new Member(coordinator, 'a'), new Member(coordinator, 'b')];
    a.heartbeat();
    b.heartbeat();
    a.heartbeat();
    a.heartbeat(); // a: epoch 2, owns 0-2
    assert.equal(a.heartbeat({ memberEpoch: 5 }).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(a.heartbeat({ memberEpoch: 1 }).errorCode, 0, 'previous epoch owning a subset');
    assert.equal(
      a.heartbeat({ memberEpoch: 1, topicPartitions: [{ topicId: 'id-t', partitions: [0, 1, 2, 3] }] })
        .errorCode,
      ErrorCode.FENCED_MEMBER_EPOCH,
    );
    assert.equal(a.heartbeat({ memberEpoch: 0, topicPartitions: [] }).errorCode, 0, 'rejoin from scratch');
    assert.equal(a.heartbeat({ memberId: 'nobody', memberEpoch: 3 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('session timeout removes a silent member; revocation deadline removes one that keeps partitions', async () => {
    const { coordinator, clock } = setup();
    const [a, b] = [new Member(coordinator, 'a'), new Member(coordinator, 'b')];
    a.heartbeat();
    b.heartbeat();
    await clock.advance(SESSION_MS - 1);
    a.heartbeat({ topicPartitions: [{ topicId: 'id-t', partitions: [0, 1, 2, 3, 4, 5] }] }); // asked to revoke 3-5
    assert.deepEqual(a.partitions(), [0, 1, 2]);
    await clock.advance(1);
    assert.equal(coordinator.get('g')!.members.has('b'), false, 'b was silent for the session timeout');
    // a is alone again: its target is everything, and it may keep 3-5.
    a.heartbeat();
    assert.deepEqual(a.partitions(), [0, 1, 2, 3, 4, 5]);

    const c = new Member(coordinator, 'c', { rebalanceTimeoutMs: 10_000 });
    c.heartbeat();
    a.heartbeat({ topicPartitions: [{ topicId: 'id-t', partitions: [0, 1, 2, 3, 4, 5] }] });
    a.owned = [{ topicId: 'id-t', partitions: [0, 1, 2, 3, 4, 5] }]; // never lets go
    await clock.advance(30_000);
    assert.equal(coordinator.get('g')!.members.has('a'), false, 'a missed its revocation deadline');
    c.heartbeat();
    assert.deepEqual(c.partitions(), [0, 1, 2, 3, 4, 5]);
    coordinator.close();
    assert.equal(coordinator.activeTimers, 0);
  });

  it('new topics and partitions give subscribed groups a new target', () => {
    const { coordinator, topics } = setup();
    const a = new Member(coordinator, 'a', { subscribedTopicNames: ['t', 'later'] });
    a.heartbeat();
    assert.deepEqual(a.partitions(), [0, 1, 2, 3, 4, 5]);
    const epoch = a.epoch;
    topics.add('later', 2);
    coordinator.onMetadataChange();
    a.heartbeat();
    assert.equal(a.epoch, epoch + 1);
    assert.deepEqual(a.owned.find((tp) => tp.topicId === 'id-later')?.partitions, [0, 1]);
    topics.add('t', 8);
    coordinator.onMetadataChange();
    a.heartbeat();
    assert.deepEqual(a.owned.find((tp) => tp.topicId === 'id-t')?.partitions, [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('subscribes by regular expression (v1)', () => {
    const { coordinator, topics } = setup();
    topics.add('orders-eu', 1);
    topics.add('orders-us', 1);
    const a = new Member(coordinator, 'a', { subscribedTopicNames: [], subscribedTopicRegex: 'orders-.*' });
    a.heartbeat();
    assert.deepEqual(a.owned.map((tp) => tp.topicId).sort(), ['id-orders-eu', 'id-orders-us']);
    assert.equal(
      coordinator.heartbeat(request({ memberId: 'b', subscribedTopicRegex: '(' })).errorCode,
      ErrorCode.INVALID_REQUEST,
    );
  });

  it('uses the range assignor when members ask for it', () => {
    const { coordinator } = setup();
    const a = new Member(coordinator, 'a', { serverAssignor: 'range' });
    const b = new Member(coordinator, 'b', { serverAssignor: 'range' });
    a.heartbeat();
    b.heartbeat();
    a.heartbeat();
    a.heartbeat();
    b.heartbeat();
    assert.deepEqual(a.partitions(), [0, 1, 2]);
    assert.deepEqual(b.partitions(), [3, 4, 5]);
    assert.equal(coordinator.describe(['g'])[0]!.assignorName, 'range');
    assert.equal(
      coordinator.heartbeat(request({ memberId: 'c', serverAssignor: 'sticky' })).errorCode,
      ErrorCode.UNSUPPORTED_ASSIGNOR,
    );
  });

  it('static members: -2 keeps the partitions for the instance, which comes back under a new id', () => {
    const { coordinator } = setup();
    const a = new Member(coordinator, 'a1', { instanceId: 'instance-a' });
    a.heartbeat();
    assert.equal(
      coordinator.heartbeat(request({ memberId: 'a2', instanceId: 'instance-a' })).errorCode,
      ErrorCode.UNRELEASED_INSTANCE_ID,
    );
    assert.equal(a.heartbeat({ memberEpoch: -2 }).memberEpoch, -2);
    const back = new Member(coordinator, 'a2', { instanceId: 'instance-a' });
    back.heartbeat();
    assert.equal(back.last.errorCode, 0);
    assert.deepEqual(back.partitions(), [0, 1, 2, 3, 4, 5]);
    assert.equal(coordinator.get('g')!.members.has('a1'), false);
  });

  it('rejects invalid requests, classic groups and full groups', () => {
    const { coordinator, classicMembers } = setup({ maxSize: 1 });
    const code = (overrides: Partial<ConsumerGroupHeartbeatRequest>) =>
      coordinator.heartbeat(request(overrides)).errorCode;
    assert.equal(code({ groupId: '' }), ErrorCode.INVALID_REQUEST);
    assert.equal(code({ memberId: '' }), ErrorCode.INVALID_REQUEST, 'v1 members name themselves');
    assert.equal(code({ rebalanceTimeoutMs: -1 }), ErrorCode.INVALID_REQUEST);
    assert.equal(
      code({ topicPartitions: [{ topicId: 'id-t', partitions: [0] }] }),
      ErrorCode.INVALID_REQUEST,
    );
    assert.equal(code({ subscribedTopicNames: null }), ErrorCode.INVALID_REQUEST);
    assert.equal(code({ memberEpoch: -2 }), ErrorCode.INVALID_REQUEST, 'static leave needs an instance id');
    assert.equal(code({ instanceId: '' }), ErrorCode.INVALID_REQUEST);
    assert.equal(code({ memberEpoch: 3 }), ErrorCode.UNKNOWN_MEMBER_ID);
    classicMembers.add('classic');
    assert.equal(code({ groupId: 'classic' }), ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(coordinator.describe(['classic'])[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const v0 = coordinator.heartbeat(request({ apiVersion: 0, memberId: '' }));
    assert.equal(v0.errorCode, 0);
    assert.ok(v0.memberId && v0.memberId.length > 0, 'v0: the coordinator names the member');
    assert.equal(code({ memberId: 'second' }), ErrorCode.GROUP_MAX_SIZE_REACHED);
  });
});
