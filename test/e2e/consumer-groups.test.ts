/**
 * Consumer groups with kafkajs (non-flexible versions: JoinGroup v5, OffsetCommit v5,
 * OffsetFetch v4) against an in-process broker: three members share a topic, one leaves, the
 * others take over; nothing produced is lost and nothing committed is read again. Then the admin
 * side: describe, list, fetch/reset offsets, delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssignerProtocol, type Consumer, Kafka, logLevel } from 'kafkajs';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';

const TOPIC = 'orders';
const PARTITIONS = 6;

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function consumerOptions(groupId: string) {
  return {
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    retry: { retries: 10, initialRetryTime: 100 },
  };
}

describe('kafkajs consumer groups', () => {
  let started: StartedBroker;
  let kafka: Kafka;

  before(async () => {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    started = await startBroker({
      logLevel: 'silent',
      config: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 5 },
    });
    kafka = new Kafka({ clientId: 'groups-e2e', brokers: [started.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
  });

  after(async () => {
    await started.stop();
  });

  it('three members split six partitions; one leaves, the others take over without loss', async (t) => {
    const groupId = 'three-members';
    const producer = kafka.producer();
    t.after(() => producer.disconnect());
    await producer.connect();
    let produced = 0;
    const send = async (count: number) => {
      const messages = Array.from({ length: count }, () => ({
        key: `k${produced}`,
        value: `v${produced++}`,
      }));
      await producer.send({ topic: TOPIC, messages });
    };

    // What each member has read, and the highest offset committed per partition so far.
    const consumed = new Map<string, { member: number; partition: number; offset: number }[]>();
    const committed = new Map<number, number>();
    const rereadBelowCommit: string[] = [];
    const consumers: Consumer[] = [];
    for (let member = 0; member < 3; member++) {
      const consumer = kafka.consumer(consumerOptions(groupId));
      t.after(() => consumer.disconnect());
      consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
        for (const topic of payload.topics) {
          for (const { partition, offset } of topic.partitions) {
            committed.set(Number(partition), Math.max(committed.get(Number(partition)) ?? 0, Number(offset)));
          }
        }
      });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = message.value!.toString();
          const offset = Number(message.offset);
          const seen = consumed.get(value) ?? [];
          if (seen.length > 0 && offset < (committed.get(partition) ?? 0)) {
            rereadBelowCommit.push(`${value}@${partition}/${offset} (committed ${committed.get(partition)})`);
          }
          seen.push({ member, partition, offset });
          consumed.set(value, seen);
        },
      });
      consumers.push(consumer);
      await send(30);
    }

    const admin = kafka.admin();
    t.after(() => admin.disconnect());
    await admin.connect();
    const assignments = async () => {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0]!;
      if (group.state !== 'Stable') return null;
      return group.members.map((member) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return decoded?.assignment[TOPIC] ?? [];
      });
    };
    await until(async () => (await assignments())?.length === 3, 'a stable group of three');
    const three = (await assignments())!;
    assert.deepEqual(
      three.flat().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
      'every partition owned by exactly one member',
    );
    assert.ok(three.every((partitions) => partitions.length === 2));

    await send(60);
    await until(() => consumed.size >= produced, 'the first records to be consumed');

    // One member leaves: the other two get its partitions while records keep coming.
    const leaving = consumers.pop()!;
    const sending = (async () => {
      for (let round = 0; round < 10; round++) {
        await send(20);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    await leaving.disconnect();
    await sending;
    await until(async () => (await assignments())?.length === 2, 'a stable group of two');
    const two = (await assignments())!;
    assert.deepEqual(
      two.flat().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
    await send(60);
    await until(() => consumed.size >= produced, `all ${produced} records to be consumed`);

    const missing = Array.from({ length: produced }, (_, i) => `v${i}`).filter(
      (value) => !consumed.has(value),
    );
    assert.deepEqual(missing, [], 'every produced record consumed');
    assert.deepEqual(rereadBelowCommit, [], 'no record read again below a committed offset');
    const members = new Set([...consumed.values()].flat().map((read) => read.member));
    assert.deepEqual([...members].sort(), [0, 1, 2]);

    for (const consumer of consumers) await consumer.disconnect();
    await until(
      async () => (await admin.describeGroups([groupId])).groups[0]!.state === 'Empty',
      'an empty group',
    );
    // Everything consumed was committed on the way out.
    const offsets = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    const total = offsets[0]!.partitions.reduce((sum, partition) => sum + Number(partition.offset), 0);
    assert.equal(total, produced);
    await admin.disconnect();
    await producer.disconnect();
  });

  it('admin: listGroups, describeGroups, fetchOffsets, resetOffsets, deleteGroups', async (t) => {
    const groupId = 'admin-managed';
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: 12 }, (_, i) => ({ value: `a${i}`, partition: i % PARTITIONS })),
    });
    await producer.disconnect();

    const consumer = kafka.consumer(consumerOptions(groupId));
    t.after(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let reads = 0;
    await consumer.run({
      eachMessage: async () => {
        reads++;
      },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await until(async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]!.state === 'Stable' && reads > 0;
      }, 'the consumer to join');
      const { groups } = await admin.describeGroups([groupId]);
      assert.equal(groups[0]!.protocolType, 'consumer');
      assert.equal(groups[0]!.members.length, 1);
      assert.equal(groups[0]!.members[0]!.clientId, 'groups-e2e');
      const listed = await admin.listGroups();
      assert.ok(
        listed.groups.some((group) => group.groupId === groupId && group.protocolType === 'consumer'),
      );

      await assert.rejects(admin.deleteGroups([groupId]), 'a group with members cannot be deleted');
      await consumer.disconnect();

      const fetched = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      assert.equal(fetched[0]!.partitions.length, PARTITIONS);
      // resetOffsets runs a paused consumer of its own (it waits kafkajs' default 5 s fetch wait).
      await admin.resetOffsets({ groupId, topic: TOPIC, earliest: true });
      // kafkajs commits -2 ("earliest") for its consumers to resolve; the broker stores it as given.
      const reset = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      assert.ok(reset[0]!.partitions.every((partition) => partition.offset === '-2'));

      await admin.deleteGroups([groupId]);
      const afterDelete = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
      assert.ok(afterDelete[0]!.partitions.every((partition) => partition.offset === '-1'));
      const { groups: dead } = await admin.describeGroups([groupId]);
      assert.equal(dead[0]!.state, 'Dead');
    } finally {
      await admin.disconnect();
    }
  });
});
