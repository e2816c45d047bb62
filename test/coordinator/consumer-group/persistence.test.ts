/**
 * KIP-848 groups written to GroupStorage in Kafka's record formats and replayed by a new
 * coordinator pair (classic + consumer group, as the broker wires them), with a manual clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/coordinator/clock.js';
import {
  ConsumerGroupCoordinator,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type TopicPartitions,
  type TopicsView,
} from '../../../src/coordinator/consumer-group/index.js';
import { decodeConsumerGroupRecord, RecordType } from '../../../src/coordinator/consumer-group/records.js';
import { GroupCoordinator } from '../../../src/coordinator/group/coordinator.js';
import { InMemoryGroupStorage } from '../../../src/coordinator/offsets/group-storage.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { uuidFromBytes } from '../../../src/util/uuid.js';

const SESSION_MS = 45_000;
const COMMIT = { partitionIndex: 0, committedOffset: 42 };
const TOPIC_ID = uuidFromBytes(Buffer.alloc(16, 7));

class Topics implements TopicsView {
  topic(name: string) {
    return name === 't' ? { topicId: TOPIC_ID, partitionCount: 6 } : undefined;
  }
  topicName(topicId: string) {
    return topicId === TOPIC_ID ? 't' : undefined;
  }
  topicNames() {
    return ['t'];
  }
}

/** A classic and a consumer group coordinator on `storage`, loaded from it. */
async function start(storage: InMemoryGroupStorage, clock = new ManualClock()) {
  const classic = new GroupCoordinator({
    storage,
    scheduler: clock,
    config: { groupInitialRebalanceDelayMs: 0 },
  });
  const coordinator = new ConsumerGroupCoordinator({
    classic,
    topics: () => new Topics(),
    storage: classic.storage,
    scheduler: clock,
    config: { sessionTimeoutMs: SESSION_MS },
  });
  await classic.start();
  return { classic, coordinator, clock };
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

/** A member as a client runs it; it can move to another coordinator (a restarted broker). */
class Member {
  epoch = 0;
  owned: TopicPartitions[] = [];
  last!: ConsumerGroupHeartbeatResponse;
  constructor(
    public coordinator: ConsumerGroupCoordinator,
    readonly id: string,
  ) {}

  async heartbeat(
    overrides: Partial<ConsumerGroupHeartbeatRequest> = {},
  ): Promise<ConsumerGroupHeartbeatResponse> {
    const response = await this.coordinator.heartbeatDurably(
      request({ memberId: this.id, memberEpoch: this.epoch, topicPartitions: this.owned, ...overrides }),
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

/** Heartbeats every member until no answer changes anything. */
async function settle(members: Member[]): Promise<void> {
  for (let round = 0; round < 10; round++) for (const member of members) await member.heartbeat();
}

describe('KIP-848 groups in __consumer_offsets', () => {
  it('writes Kafka’s record types 3, 5, 6, 7 and 8 with value version 0', async () => {
    const storage = new InMemoryGroupStorage();
    const { coordinator } = await start(storage);
    await new Member(coordinator, 'a').heartbeat();
    const types = new Set(storage.records.map((record) => record.key.readInt16BE(0)));
    assert.deepEqual(
      [...types].sort(),
      [
        RecordType.GroupMetadata,
        RecordType.MemberMetadata,
        RecordType.TargetAssignmentMetadata,
        RecordType.TargetAssignmentMember,
        RecordType.CurrentMemberAssignment,
      ].sort(),
    );
    for (const record of storage.records) assert.equal(record.value!.readInt16BE(0), 0);
    const current = storage.records
      .map(decodeConsumerGroupRecord)
      .find((record) => record.type === RecordType.CurrentMemberAssignment);
    assert.equal(current?.type === RecordType.CurrentMemberAssignment && current.value?.memberEpoch, 1);
  });

  it('a restarted coordinator knows every member with its id, epoch and assignment', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const members = ['a', 'b', 'c'].map((id) => new Member(first.coordinator, id));
    await settle(members);
    const before = first.coordinator.describe(['g'])[0]!;
    assert.equal(before.groupState, 'Stable');
    await first.classic.close();
    first.coordinator.close();

    const second = await start(storage);
    const after = second.coordinator.describe(['g'])[0]!;
    assert.deepEqual(after, before);
    // The members carry on with the epochs they have: no error, no new epoch, same partitions.
    for (const member of members) {
      const owned = member.partitions();
      member.coordinator = second.coordinator;
      const response = await member.heartbeat();
      assert.equal(response.errorCode, ErrorCode.NONE, `${member.id}: ${response.errorMessage}`);
      assert.equal(response.memberEpoch, before.groupEpoch);
      assert.deepEqual(member.partitions(), owned);
    }
    assert.deepEqual(
      members.flatMap((member) => member.partitions()).sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5],
    );
    assert.equal(second.coordinator.get('g')!.validateOffsetCommit('a', members[0]!.epoch), null);
  });

  it('an unchanged heartbeat writes nothing', async () => {
    const storage = new InMemoryGroupStorage();
    const { coordinator } = await start(storage);
    const member = new Member(coordinator, 'a');
    await settle([member]);
    const count = storage.records.length;
    await member.heartbeat();
    await member.heartbeat();
    assert.equal(storage.records.length, count);
  });

  it('a member that leaves gets tombstones and does not come back after a restart', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const [a, b] = [new Member(first.coordinator, 'a'), new Member(first.coordinator, 'b')];
    await settle([a, b]);
    await b.heartbeat({ memberEpoch: -1 });
    const tombstones = storage.records
      .filter((record) => record.value === null)
      .map(decodeConsumerGroupRecord);
    assert.deepEqual(
      tombstones.map((record) => [record.type, 'memberId' in record ? record.memberId : null]).sort(),
      [
        [RecordType.MemberMetadata, 'b'],
        [RecordType.TargetAssignmentMember, 'b'],
        [RecordType.CurrentMemberAssignment, 'b'],
      ].sort(),
    );
    await settle([a]);
    first.coordinator.close();
    await first.classic.close();

    const second = await start(storage);
    const described = second.coordinator.describe(['g'])[0]!;
    assert.deepEqual(
      described.members.map((member) => member.memberId),
      ['a'],
    );
    assert.equal(described.members[0]!.assignment[0]!.partitions.length, 6);
  });

  it('a deleted group leaves only tombstones, and is gone after a restart', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const a = new Member(first.coordinator, 'a');
    await settle([a]);
    await a.heartbeat({ memberEpoch: -1 });
    const [deleted] = await first.classic.deleteGroups(['g']);
    assert.equal(deleted!.errorCode, ErrorCode.NONE);
    await first.coordinator.drain();
    const last = storage.records.at(-1)!;
    assert.equal(last.value, null);
    assert.equal(last.key.readInt16BE(0), RecordType.GroupMetadata, 'the group record is deleted last');
    first.coordinator.close();
    await first.classic.close();

    const second = await start(storage);
    assert.equal(second.coordinator.get('g'), undefined);
    assert.equal(second.coordinator.describe(['g'])[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('after a restart, members that never come back are removed when their session times out', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const [a, b] = [new Member(first.coordinator, 'a'), new Member(first.coordinator, 'b')];
    await settle([a, b]);
    first.coordinator.close();
    await first.classic.close();

    const second = await start(storage);
    a.coordinator = second.coordinator;
    await second.clock.advance(SESSION_MS / 2);
    await a.heartbeat();
    await second.clock.advance(SESSION_MS / 2 + 1);
    await second.coordinator.drain();
    assert.deepEqual(
      second.coordinator.describe(['g'])[0]!.members.map((member) => member.memberId),
      ['a'],
    );
    await settle([a]);
    assert.deepEqual(a.partitions(), [0, 1, 2, 3, 4, 5]);
    // b's removal was written: a third start does not bring it back.
    second.coordinator.close();
    await second.classic.close();
    const third = await start(storage);
    assert.deepEqual(
      third.coordinator.describe(['g'])[0]!.members.map((member) => member.memberId),
      ['a'],
    );
  });

  it('a failed write is answered with the mapped error and rewritten by the next change', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const a = new Member(first.coordinator, 'a');
    storage.failNext(ErrorCode.NOT_ENOUGH_REPLICAS);
    const failed = await a.heartbeat();
    assert.equal(failed.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(storage.records.length, 0);
    // The client retries its join; the state it now gets is written in full.
    await a.heartbeat();
    assert.equal(a.last.errorCode, ErrorCode.NONE);
    first.coordinator.close();
    await first.classic.close();
    const second = await start(storage);
    assert.equal(second.coordinator.describe(['g'])[0]!.members[0]!.memberId, 'a');
  });

  it('committed offsets and classic groups in the same storage still load', async () => {
    const storage = new InMemoryGroupStorage();
    const first = await start(storage);
    const a = new Member(first.coordinator, 'a');
    await settle([a]);
    const commit = await first.classic.offsets.commitOffsets({
      groupId: 'g',
      memberId: 'a',
      generationIdOrMemberEpoch: a.epoch,
      topics: [{ name: 't', partitions: [COMMIT] }],
    });
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    first.coordinator.close();
    await first.classic.close();
    const second = await start(storage);
    assert.equal(second.classic.status, 'active');
    assert.equal(second.coordinator.get('g')!.members.size, 1);
    const fetched = second.classic.offsets.fetchOffsets('g', [{ name: 't', partitionIndexes: [0] }]);
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 42);
  });
});
