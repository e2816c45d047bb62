/**
 * KIP-848 membership survives the broker: two @platformatic/kafka consumers
 * (`groupProtocol: 'consumer'`) stream a topic through consume(), the broker process is stopped
 * cleanly or SIGKILLed and started again on the same port and data dir, and the same consumer
 * objects go on streaming what is produced afterwards. The group comes back from
 * __consumer_offsets: the members keep their ids and epochs (ConsumerGroupDescribe before and
 * after) and neither consumer joins again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { WireClient } from '../broker/handlers/produce-fetch.helpers.js';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

const TOPIC = 'kip848-restart';
const GROUP = 'kip848-restart-group';
const PARTITIONS = 4;
const ARGS = [
  '--set',
  'offsets.topic.num.partitions=3',
  '--set',
  'group.consumer.heartbeat.interval.ms=500',
  '--log-level',
  'info',
];

type StringConsumer = Consumer<string, string, string, string>;

async function until(condition: () => boolean | Promise<boolean>, what: string, broker: BrokerProcess) {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; broker log:\n${broker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function describeGroup(port: number) {
  const client = await WireClient.connect(port);
  try {
    const response = await client.request(
      Apis.ConsumerGroupDescribe,
      0,
      Apis.ConsumerGroupDescribe.request.create({ groupIds: [GROUP] }),
    );
    const group = response.groups[0]!;
    return {
      errorCode: group.errorCode,
      state: group.groupState,
      groupEpoch: group.groupEpoch,
      members: group.members
        .map((member) => ({
          memberId: member.memberId,
          memberEpoch: member.memberEpoch,
          partitions: member.assignment.topicPartitions.flatMap((tp) => tp.partitions).sort(),
        }))
        .sort((a, b) => (a.memberId < b.memberId ? -1 : 1)),
    };
  } finally {
    client.close();
  }
}

for (const restart of ['a clean restart', 'SIGKILL'] as const) {
  describe(`KIP-848 consumers across ${restart} of the broker`, () => {
    it('keep their member ids and epochs and go on consuming without rejoining', async () => {
      let broker = await startBrokerProcess({ args: ARGS });
      const { dataDir, port } = broker;
      const consumers: StringConsumer[] = [];
      const streams: { close(): Promise<void> }[] = [];
      const joins = new Map<string, number>();
      const received: string[] = [];
      let producer: Producer<string, string, string, string> | undefined;
      try {
        const admin = new Admin({ clientId: 'kip848-restart-admin', bootstrapBrokers: [broker.bootstrap] });
        await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 });
        await admin.close();

        const produce = async (from: number, count: number) => {
          producer ??= new Producer({
            clientId: 'kip848-restart-producer',
            bootstrapBrokers: [broker.bootstrap],
            serializers: stringSerializers,
            retries: 20,
            retryDelay: 250,
          });
          await producer.send({
            messages: Array.from({ length: count }, (_, i) => ({
              topic: TOPIC,
              key: `k${from + i}`,
              value: `v${from + i}`,
              partition: (from + i) % PARTITIONS,
            })),
          });
          // A new producer after the restart: its connections to the old process are gone.
          await producer.close();
          producer = undefined;
        };
        await produce(0, 40);

        for (const clientId of ['member-a', 'member-b']) {
          const consumer: StringConsumer = new Consumer({
            groupId: GROUP,
            clientId,
            bootstrapBrokers: [broker.bootstrap],
            deserializers: stringDeserializers,
            groupProtocol: 'consumer',
            retries: 40,
            retryDelay: 250,
            maxWaitTime: 200,
          });
          consumer.on('consumer:group:join', () => joins.set(clientId, (joins.get(clientId) ?? 0) + 1));
          consumers.push(consumer);
          const stream = await consumer.consume({ topics: [TOPIC], mode: 'earliest', autocommit: 100 });
          stream.on('data', (message: { value: string }) => received.push(message.value));
          stream.on('error', () => {});
          streams.push(stream);
        }
        await until(() => new Set(received).size === 40, 'the first 40 records', broker);
        await until(
          async () => {
            const group = await describeGroup(broker.port);
            return group.state === 'Stable' && group.members.length === 2;
          },
          'a stable group of two',
          broker,
        );
        const before = await describeGroup(broker.port);
        const memberIds = consumers.map((consumer) => consumer.memberId);
        assert.deepEqual(
          before.members.map((member) => member.memberId),
          [...memberIds].sort(),
        );

        if (restart === 'SIGKILL') await broker.kill();
        else assert.equal(await broker.stop(), 0);
        broker = await startBrokerProcess({ dataDir, args: [...ARGS, '--port', String(port)] });
        assert.equal(broker.port, port);

        // The group is back from __consumer_offsets as it was (once loaded: until then the
        // coordinator answers COORDINATOR_LOAD_IN_PROGRESS).
        let after = await describeGroup(broker.port);
        await until(
          async () => {
            after = await describeGroup(broker.port);
            return after.errorCode !== 14;
          },
          'the coordinator to load',
          broker,
        );
        assert.equal(after.errorCode, 0);
        assert.deepEqual(after, before);

        await produce(40, 40);
        await until(() => new Set(received).size === 80, 'the 40 records produced after the restart', broker);
        assert.deepEqual(
          consumers.map((consumer) => consumer.memberId),
          memberIds,
          'the consumers kept their member ids',
        );
        assert.deepEqual(Object.fromEntries(joins), { 'member-a': 1, 'member-b': 1 }, 'nobody joined again');
        const later = await describeGroup(broker.port);
        assert.deepEqual(
          later.members.map((member) => [member.memberId, member.memberEpoch]),
          before.members.map((member) => [member.memberId, member.memberEpoch]),
        );
        const expected = Array.from({ length: 80 }, (_, i) => `v${i}`).sort();
        assert.deepEqual([...new Set(received)].sort(), expected);
      } finally {
        await Promise.all(
          streams.map(async (stream) => {
            try {
              await stream.close();
            } catch {}
          }),
        );
        await Promise.all(
          consumers.map(async (consumer) => {
            try {
              await consumer.close(true);
            } catch {}
          }),
        );
        if (producer) await producer.close().catch(() => {});
        await broker.stop();
        removeDataDir(dataDir);
      }
    });
  });
}
