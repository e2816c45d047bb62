/**
 * Committed offsets survive the broker: a kafkajs consumer commits part of what it read, the
 * broker process is stopped cleanly or SIGKILLed, and a new consumer of the same group resumes at
 * the committed offset, not before it and not after it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

const TOPIC = 'events';
const ARGS = [
  '--set',
  'group.initial.rebalance.delay.ms=0',
  '--set',
  'offsets.topic.num.partitions=3',
  '--log-level',
  'info',
];

/** Waits for `condition`; generous, as CI machines can be slow, and shows the broker's log on failure. */
async function until(condition: () => boolean, what: string, broker: BrokerProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; broker log:\n${broker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function client(broker: BrokerProcess): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new Kafka({
    clientId: 'durability-e2e',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
}

const consumerOptions = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 100,
};

for (const restart of ['a clean restart', 'SIGKILL'] as const) {
  describe(`committed offsets across ${restart}`, () => {
    it('a new consumer of the group resumes at the committed offset', async () => {
      let broker = await startBrokerProcess({ args: ARGS });
      const { dataDir } = broker;
      const consumers: Consumer[] = [];
      try {
        const kafka = client(broker);
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
        await admin.disconnect();
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({
          topic: TOPIC,
          messages: Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` })),
        });
        await producer.disconnect();

        // Reads everything, commits only after each of the first 15 records.
        const first = kafka.consumer({ groupId: 'resume', ...consumerOptions });
        consumers.push(first);
        await first.connect();
        await first.subscribe({ topic: TOPIC, fromBeginning: true });
        const firstRead: string[] = [];
        let commits = 0;
        await first.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            firstRead.push(message.value!.toString());
            const next = Number(message.offset) + 1;
            if (next <= 15) {
              await first.commitOffsets([{ topic: TOPIC, partition, offset: String(next) }]);
              commits++;
            }
          },
        });
        await until(() => firstRead.length >= 20 && commits === 15, 'the first consumer', broker);
        await first.disconnect();

        if (restart === 'SIGKILL') await broker.kill();
        else assert.equal(await broker.stop(), 0);
        broker = await startBrokerProcess({ args: ARGS, dataDir });

        const second = client(broker).consumer({ groupId: 'resume', ...consumerOptions });
        consumers.push(second);
        await second.connect();
        await second.subscribe({ topic: TOPIC, fromBeginning: true });
        const secondRead: string[] = [];
        await second.run({
          eachMessage: async ({ message }) => {
            secondRead.push(message.value!.toString());
          },
        });
        await until(() => secondRead.length >= 5, 'the second consumer', broker);
        assert.deepEqual(secondRead, ['v15', 'v16', 'v17', 'v18', 'v19']);
      } finally {
        for (const consumer of consumers) await consumer.disconnect().catch(() => {});
        await broker.kill();
        removeDataDir(dataDir);
      }
    });
  });
}
