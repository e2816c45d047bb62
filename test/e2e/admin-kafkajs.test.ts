import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';

/** The Kafka error type name kafkajs reports for a failed admin call (per topic when it can). */
async function kafkaError(promise: Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return typedFailure(error);
  }
  assert.fail('expected the call to fail');
}

type Failure = {
  type?: string;
  message: string;
  errors?: Failure[];
  cause?: Failure;
  partitions?: { error: Failure }[];
};

/** kafkajs wraps protocol errors (aggregates, retries, per-partition lists): find the typed one. */
function typedFailure(error: unknown): { type: string; message: string } {
  const failure = error as Failure;
  if (failure.type !== undefined) return { type: failure.type, message: failure.message };
  const inner = failure.errors?.[0] ?? failure.partitions?.[0]?.error ?? failure.cause;
  return inner ? typedFailure(inner) : { type: 'unknown', message: failure.message };
}

describe('topic and config admin through kafkajs 2.2.4', () => {
  let started: StartedBroker;
  let admin: Admin;

  before(async () => {
    started = await startBroker({ logLevel: 'silent', config: { 'num.partitions': 2 } });
    const kafka = new Kafka({
      clientId: 'admin-e2e',
      brokers: [started.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await admin.disconnect();
    await started.stop();
  });

  test('createTopics: validateOnly creates nothing, then the topic is created with its configs', async () => {
    const topic = {
      topic: 'orders',
      numPartitions: 3,
      configEntries: [{ name: 'retention.ms', value: '60000' }],
    };
    // kafkajs would wait for leaders of a topic that validate_only does not create.
    assert.equal(
      await admin.createTopics({ topics: [topic], validateOnly: true, waitForLeaders: false }),
      true,
    );
    assert.deepEqual(await admin.listTopics(), []);
    assert.equal(await admin.createTopics({ topics: [topic], waitForLeaders: true }), true);
    const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
    assert.equal(metadata.topics[0]!.partitions.length, 3);
    assert.equal(started.broker.image().topic('orders')!.configs['retention.ms'], '60000');
    // Creating an existing topic through kafkajs returns false (it swallows TOPIC_ALREADY_EXISTS).
    assert.equal(await admin.createTopics({ topics: [topic] }), false);
  });

  test('createTopics with -1 partitions takes num.partitions; errors per topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'defaults' }] });
    assert.equal(started.broker.image().topic('defaults')!.partitions.length, 2);

    const cases: [string, object, string][] = [
      ['bad/name', {}, 'INVALID_TOPIC_EXCEPTION'],
      ['..', {}, 'INVALID_TOPIC_EXCEPTION'],
      ['x'.repeat(250), {}, 'INVALID_TOPIC_EXCEPTION'],
      ['rf3', { replicationFactor: 3 }, 'INVALID_REPLICATION_FACTOR'],
      ['zero', { numPartitions: 0 }, 'INVALID_PARTITIONS'],
      ['unknown-config', { configEntries: [{ name: 'retention.mss', value: '1' }] }, 'INVALID_CONFIG'],
      ['bad-retention', { configEntries: [{ name: 'retention.ms', value: 'abc' }] }, 'INVALID_CONFIG'],
      ['bad-policy', { configEntries: [{ name: 'cleanup.policy', value: 'foo' }] }, 'INVALID_CONFIG'],
    ];
    for (const [name, extra, type] of cases) {
      const failure = await kafkaError(admin.createTopics({ topics: [{ topic: name, ...extra }] }));
      assert.equal(failure.type, type, `${name.slice(0, 20)}: ${failure.message}`);
    }
    assert.deepEqual(await admin.listTopics().then((names) => names.sort()), ['defaults', 'orders']);
  });

  test('createPartitions grows a topic and refuses to shrink it', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
    assert.equal(metadata.topics[0]!.partitions.length, 5);
    assert.ok(started.broker.logs.getLog({ topic: 'orders', partition: 4 }), 'the new partition has a log');
    const shrink = await kafkaError(
      admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 2 }] }),
    );
    assert.equal(shrink.type, 'INVALID_PARTITIONS');
    const missing = await kafkaError(
      admin.createPartitions({ topicPartitions: [{ topic: 'nope', count: 2 }] }),
    );
    assert.equal(missing.type, 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  test('describeConfigs for a topic and the broker, and sources after alterConfigs', async () => {
    const TOPIC = 2;
    const BROKER = 4;
    const before = await admin.describeConfigs({
      resources: [
        { type: TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] },
        { type: BROKER, name: '1', configNames: ['num.partitions', 'log.retention.hours', 'node.id'] },
      ],
      includeSynonyms: true,
    });
    const topicEntries = before.resources[0]!.configEntries;
    const retention = topicEntries.find((entry) => entry.configName === 'retention.ms')!;
    assert.equal(retention.configValue, '60000');
    assert.equal(retention.configSource, 1); // DYNAMIC_TOPIC_CONFIG
    const policy = topicEntries.find((entry) => entry.configName === 'cleanup.policy')!;
    assert.equal(policy.configValue, 'delete');
    assert.equal(policy.configSource, 5); // DEFAULT_CONFIG
    const brokerEntries = before.resources[1]!.configEntries;
    const partitions = brokerEntries.find((entry) => entry.configName === 'num.partitions')!;
    assert.equal(partitions.configValue, '2');
    assert.equal(partitions.configSource, 4); // STATIC_BROKER_CONFIG
    assert.equal(partitions.readOnly, true);
    assert.equal(brokerEntries.find((entry) => entry.configName === 'log.retention.hours')!.configSource, 5);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: TOPIC, name: 'orders', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    const afterAlter = await admin.describeConfigs({
      resources: [{ type: TOPIC, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: false,
    });
    const entries = afterAlter.resources[0]!.configEntries;
    // AlterConfigs replaces the whole set: retention.ms is back to its default.
    assert.equal(entries.find((entry) => entry.configName === 'retention.ms')!.configSource, 5);
    assert.equal(entries.find((entry) => entry.configName === 'cleanup.policy')!.configValue, 'compact');
    assert.equal(entries.find((entry) => entry.configName === 'cleanup.policy')!.configSource, 1);

    const bad = await kafkaError(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC, name: 'orders', configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
      }),
    );
    assert.equal(bad.type, 'INVALID_CONFIG');
    const unknownTopic = await kafkaError(
      admin.describeConfigs({ resources: [{ type: TOPIC, name: 'nope' }], includeSynonyms: false }),
    );
    assert.equal(unknownTopic.type, 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  test('alterConfigs on the broker: dynamic configs change their source; read-only ones are refused', async () => {
    const BROKER = 4;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '3600000' }] },
      ],
    });
    const described = await admin.describeConfigs({
      resources: [{ type: BROKER, name: '1', configNames: ['log.retention.ms'] }],
      includeSynonyms: false,
    });
    const entry = described.resources[0]!.configEntries[0]!;
    assert.equal(entry.configValue, '3600000');
    assert.equal(entry.configSource, 2); // DYNAMIC_BROKER_CONFIG
    const topic = await admin.describeConfigs({
      resources: [{ type: 2, name: 'defaults', configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    assert.equal(topic.resources[0]!.configEntries[0]!.configValue, '3600000');
    assert.equal(topic.resources[0]!.configEntries[0]!.configSource, 2);

    const readOnly = await kafkaError(
      admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: BROKER, name: '1', configEntries: [{ name: 'num.partitions', value: '4' }] }],
      }),
    );
    assert.equal(readOnly.type, 'INVALID_REQUEST');
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: BROKER, name: '1', configEntries: [] }],
    });
  });

  test('deleteTopicRecords moves the low watermark', async () => {
    await admin.createTopics({ topics: [{ topic: 'records', numPartitions: 1 }] });
    const kafka = new Kafka({
      clientId: 'admin-e2e-producer',
      brokers: [started.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'records',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })),
      });
    } finally {
      await producer.disconnect();
    }
    // kafkajs looks the leader up in its cached metadata before refreshing it: load it first.
    assert.equal((await admin.fetchTopicOffsets('records'))[0]!.high, '10');
    await admin.deleteTopicRecords({ topic: 'records', partitions: [{ partition: 0, offset: '4' }] });
    assert.equal(started.broker.logs.getLog({ topic: 'records', partition: 0 })!.logStartOffset, 4);
    const offsets = await admin.fetchTopicOffsets('records');
    assert.deepEqual(
      offsets.map(({ partition, low, high }) => ({ partition, low, high })),
      [{ partition: 0, low: '4', high: '10' }],
    );
    const tooFar = await kafkaError(
      admin.deleteTopicRecords({ topic: 'records', partitions: [{ partition: 0, offset: '11' }] }),
    );
    assert.equal(tooFar.type, 'OFFSET_OUT_OF_RANGE');
  });

  test('deleteTopics removes topics and their logs; unknown topics are reported', async () => {
    await admin.deleteTopics({ topics: ['defaults'] });
    assert.equal(started.broker.image().topic('defaults'), undefined);
    assert.equal(started.broker.logs.getLog({ topic: 'defaults', partition: 0 }), undefined);
    const unknown = await kafkaError(admin.deleteTopics({ topics: ['defaults'] }));
    assert.equal(unknown.type, 'UNKNOWN_TOPIC_OR_PARTITION');
  });
});
