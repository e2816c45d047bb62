/**
 * KIP-848 consumer groups with @platformatic/kafka (`groupProtocol: 'consumer'`):
 * ConsumerGroupHeartbeat v1 (member-named), OffsetCommit v9 with member epochs, OffsetFetch v9
 * with member id and epoch, ListGroups v5 (type "consumer"), ConsumerGroupDescribe v0 over the
 * wire. Three members split a 6-partition topic, consume and commit what they own; one leaves and
 * the other two take over its partitions, resuming at its commits; every record is consumed once.
 *
 * The client joins through consume(); its MessagesStream is left unread and records are read with
 * Consumer.fetch (topics by name up to Fetch v12, by id from v13), so that the test decides exactly
 * what is read and committed by whom.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { WireClient } from '../broker/handlers/produce-fetch.helpers.js';
import { readAndCommitPartitions } from '../helpers/platformatic-consume.js';

const TOPIC = 'kip848-events';
const GROUP = 'kip848-group';
const PARTITIONS = 6;

type StringConsumer = Consumer<string, string, string, string>;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('@platformatic/kafka KIP-848 consumer group', () => {
  let started: StartedBroker;
  let admin: Admin;
  let producer: Producer<string, string, string, string>;
  const consumers: StringConsumer[] = [];
  let produced = 0;

  const newConsumer = (clientId: string): StringConsumer => {
    const consumer = new Consumer({
      groupId: GROUP,
      clientId,
      bootstrapBrokers: [started.bootstrap],
      deserializers: stringDeserializers,
      groupProtocol: 'consumer',
    });
    consumers.push(consumer);
    return consumer;
  };

  const assigned = (consumer: StringConsumer): number[] =>
    (consumer.assignments ?? [])
      .flatMap((assignment) => (assignment.topic === TOPIC ? assignment.partitions : []))
      .sort((a, b) => a - b);

  /** The members own disjoint partitions covering the topic. */
  const splitsTopic = (members: StringConsumer[]): boolean => {
    const all = members.flatMap(assigned);
    return (
      all.length === PARTITIONS &&
      new Set(all).size === PARTITIONS &&
      members.every((m) => assigned(m).length > 0)
    );
  };

  async function produce(count: number): Promise<void> {
    await producer.send({
      messages: Array.from({ length: count }, (_, i) => ({
        topic: TOPIC,
        value: `v${produced + i}`,
        partition: (produced + i) % PARTITIONS,
      })),
    });
    produced += count;
  }

  /** Reads the consumer's partitions from its group's committed offsets to the end, committing. */
  const consumeAssigned = (consumer: StringConsumer): Promise<string[]> =>
    readAndCommitPartitions(consumer, {
      node: started.broker.brokerId,
      topic: TOPIC,
      partitions: assigned(consumer),
    });

  async function describeGroup() {
    const client = await WireClient.connect(started.port);
    try {
      const response = await client.request(
        Apis.ConsumerGroupDescribe,
        0,
        Apis.ConsumerGroupDescribe.request.create({ groupIds: [GROUP] }),
      );
      return response.groups[0]!;
    } finally {
      client.close();
    }
  }

  before(async () => {
    started = await startBroker({
      logLevel: 'silent',
      config: {
        'offsets.topic.num.partitions': 4,
        // Members learn of a new assignment at their next heartbeat: keep the test short.
        'group.consumer.heartbeat.interval.ms': 200,
      },
    });
    admin = new Admin({ clientId: 'kip848-admin', bootstrapBrokers: [started.bootstrap] });
    await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 });
    producer = new Producer({
      clientId: 'kip848-producer',
      bootstrapBrokers: [started.bootstrap],
      serializers: stringSerializers,
    });
    await produce(60);
  });

  after(async () => {
    for (const consumer of consumers) {
      try {
        await consumer.close(true);
      } catch {}
    }
    await producer?.close().catch(() => {});
    await admin?.close().catch(() => {});
    await started?.stop();
  });

  it('splits the topic, moves a leaving member’s partitions, consumes every record once', async () => {
    const [a, b, c] = [newConsumer('kip848-a'), newConsumer('kip848-b'), newConsumer('kip848-c')];
    for (const consumer of [a, b, c]) {
      const stream = await consumer.consume({ topics: [TOPIC], autocommit: false });
      // Unread, the stream only fetches (by topic id, which Fetch v12 cannot name) while closing.
      stream.on('error', () => {});
    }
    await until(() => splitsTopic([a, b, c]), 'three members to split the six partitions');
    for (const consumer of [a, b, c])
      assert.equal(assigned(consumer).length, 2, 'uniform: two partitions each');

    const described = await describeGroup();
    assert.equal(described.errorCode, 0);
    assert.equal(described.assignorName, 'uniform');
    assert.equal(described.members.length, 3);
    const listed = await admin.listGroups({ types: ['consumer'] });
    assert.equal(listed.get(GROUP)?.protocolType, 'consumer');

    const seen: string[] = [];
    for (const consumer of [a, b, c]) seen.push(...(await consumeAssigned(consumer)));
    assert.equal(seen.length, 60);

    const leaving = assigned(c);
    await c.close();
    consumers.splice(consumers.indexOf(c), 1);
    await until(() => splitsTopic([a, b]), 'the two remaining members to take over');
    const takenOver = [...assigned(a), ...assigned(b)];
    for (const partition of leaving) assert.ok(takenOver.includes(partition));

    await produce(30);
    for (const consumer of [a, b]) seen.push(...(await consumeAssigned(consumer)));
    assert.deepEqual(
      [...seen].sort(),
      Array.from({ length: produced }, (_, i) => `v${i}`).sort(),
      'every record consumed exactly once',
    );

    const committed = await a.listCommittedOffsets({
      topics: [{ topic: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, i) => i) }],
    });
    assert.deepEqual(
      committed.get(TOPIC),
      Array.from({ length: PARTITIONS }, () => BigInt(produced / PARTITIONS)),
    );

    const stable = await describeGroup();
    assert.equal(stable.members.length, 2);
    assert.equal(stable.groupState, 'Stable');
    for (const member of stable.members) {
      assert.equal(member.memberEpoch, stable.assignmentEpoch);
      assert.deepEqual(member.assignment, member.targetAssignment);
      assert.equal(member.assignment.topicPartitions[0]?.topicName, TOPIC);
    }
  });
});
