/**
 * A classic consumer group with @platformatic/kafka (flexible versions: FindCoordinator v5,
 * JoinGroup v9, SyncGroup v5, Heartbeat v4, OffsetCommit v9, OffsetFetch v9 multi-group,
 * LeaveGroup v5, DescribeGroups v5, ListGroups v5, DeleteGroups v2): two members split a topic,
 * consume what they were assigned, commit, leave; a later member resumes at the commits.
 *
 * Records are read with the client's Consumer.fetch (Fetch v17, topics named by id) and with its
 * MessagesStream (consumer.consume), which joins the group and commits by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { readAndCommitPartitions } from '../helpers/platformatic-consume.js';

const TOPIC = 'plt-events';
const GROUP = 'plt-group';
const PARTITIONS = 4;

type StringConsumer = Consumer<string, string, string, string>;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('@platformatic/kafka classic consumer group', () => {
  let started: StartedBroker;
  let admin: Admin;
  let producer: Producer<string, string, string, string>;

  const newConsumer = (): StringConsumer => {
    const consumer = new Consumer({
      groupId: GROUP,
      clientId: 'plt-consumer',
      bootstrapBrokers: [started.bootstrap],
      deserializers: stringDeserializers,
      sessionTimeout: 6000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 300,
    });
    consumer.topics.trackAll(TOPIC);
    return consumer;
  };

  const assigned = (consumer: StringConsumer): number[] =>
    (consumer.assignments ?? []).flatMap((assignment) =>
      assignment.topic === TOPIC ? assignment.partitions : [],
    );

  /** Reads the consumer's partitions from its group's committed offsets to the end, committing. */
  const consumeAssigned = (consumer: StringConsumer): Promise<string[]> =>
    readAndCommitPartitions(consumer, {
      node: started.broker.brokerId,
      topic: TOPIC,
      partitions: assigned(consumer),
    });

  before(async () => {
    started = await startBroker({
      logLevel: 'silent',
      config: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 4 },
    });
    admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers: [started.bootstrap] });
    await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 });
    producer = new Producer({
      clientId: 'plt-producer',
      bootstrapBrokers: [started.bootstrap],
      serializers: stringSerializers,
    });
    await producer.send({
      messages: Array.from({ length: 40 }, (_, i) => ({
        topic: TOPIC,
        value: `v${i}`,
        partition: i % PARTITIONS,
      })),
    });
  });

  after(async () => {
    await producer.close();
    await admin.close();
    await started.stop();
  });

  it('two members split the partitions, consume and commit; admin sees members and offsets', async (t) => {
    const first = newConsumer();
    const second = newConsumer();
    t.after(() => Promise.all([first.close(true), second.close(true)]));
    await first.joinGroup();
    // The second join rebalances the group; the first rejoins through its heartbeat.
    await second.joinGroup();
    await until(
      () => assigned(first).length + assigned(second).length === PARTITIONS && assigned(first).length > 0,
      'both members to be assigned',
    );
    assert.deepEqual(
      [...assigned(first), ...assigned(second)].sort(),
      Array.from({ length: PARTITIONS }, (_, i) => i),
    );

    const described = (await admin.describeGroups({ groups: [GROUP] })).get(GROUP)!;
    assert.equal(described.state, 'STABLE');
    assert.equal(described.protocolType, 'consumer');
    assert.equal(described.members.size, 2);
    const listed = await admin.listGroups();
    assert.equal(listed.get(GROUP)?.state, 'STABLE');

    const values = [...(await consumeAssigned(first)), ...(await consumeAssigned(second))];
    assert.deepEqual(values.sort(), Array.from({ length: 40 }, (_, i) => `v${i}`).sort());

    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [GROUP] });
    const committed = offsets!.topics.find((topic) => topic.name === TOPIC)!.partitions;
    assert.deepEqual(
      committed.map((partition) => [partition.partitionIndex, partition.committedOffset]).sort(),
      Array.from({ length: PARTITIONS }, (_, i) => [i, 10n]),
    );

    await first.leaveGroup();
    await second.leaveGroup();
    await first.close();
    await second.close();
    assert.equal((await admin.describeGroups({ groups: [GROUP] })).get(GROUP)!.state, 'EMPTY');
  });

  it('a new member resumes at the committed offsets; the empty group can be deleted', async (t) => {
    await producer.send({
      messages: Array.from({ length: 8 }, (_, i) => ({
        topic: TOPIC,
        value: `w${i}`,
        partition: i % PARTITIONS,
      })),
    });
    const consumer = newConsumer();
    t.after(() => consumer.close(true));
    await consumer.joinGroup();
    await until(() => assigned(consumer).length === PARTITIONS, 'the assignment');
    const values = await consumeAssigned(consumer);
    assert.deepEqual(values.sort(), Array.from({ length: 8 }, (_, i) => `w${i}`).sort());
    await consumer.leaveGroup();
    await consumer.close();

    await admin.deleteGroups({ groups: [GROUP] });
    assert.equal((await admin.listGroups()).has(GROUP), false);
    const [offsets] = await admin.listConsumerGroupOffsets({ groups: [GROUP] });
    assert.equal(offsets!.topics.length, 0);
  });

  it('consumer.consume() streams every record of the topic and commits them', async (t) => {
    const group = `${GROUP}-stream`;
    const consumer = new Consumer({
      groupId: group,
      clientId: 'plt-stream',
      bootstrapBrokers: [started.bootstrap],
      deserializers: stringDeserializers,
      sessionTimeout: 6000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 300,
    });
    t.after(() => consumer.close(true));
    const expected = (await producedValues()).sort();
    const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest', autocommit: 100 });
    const values: string[] = [];
    stream.on('data', (message: { value: string }) => values.push(message.value));
    await until(() => values.length >= expected.length, 'the stream to deliver every record');
    // The stream keeps running (and committing every 100 ms) until every record is committed.
    await until(async () => {
      const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
      const committed = offsets?.topics.find((topic) => topic.name === TOPIC)?.partitions ?? [];
      return (
        committed.reduce((sum, partition) => sum + Number(partition.committedOffset), 0) === expected.length
      );
    }, 'the stream to commit every record');
    await stream.close();
    assert.deepEqual(values.sort(), expected);
  });

  /** Every value in the topic, read by the broker from its own logs. */
  async function producedValues(): Promise<string[]> {
    const { readRecords } = await import('../../src/protocol/records/records.js');
    const { splitBatches } = await import('../../src/protocol/records/record-batch.js');
    const values: string[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const log = started.broker.topics.log(TOPIC, partition)!;
      const { records } = await log.read(0, 64 << 20, { minOneBatch: true });
      for (const { batch } of splitBatches(records).batches) {
        for (const record of readRecords(batch)) values.push(record.value!.toString());
      }
    }
    return values;
  }
});
