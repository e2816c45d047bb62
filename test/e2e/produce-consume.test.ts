import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { type CompressionAlgorithmValue, Consumer, Producer } from '@platformatic/kafka';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { fetchWaitersOf } from '../../src/broker/fetch-waiters.js';
import {
  byPartition,
  type ConsumedRecord,
  kafkajsCluster,
  kafkajsConsumeAll,
  kafkajsFetchOnce,
  platformaticConsumeAll,
} from './produce-consume.helpers.js';

const PARTITIONS = 3;

interface Sent {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

function messages(prefix: string, count: number): Sent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-key-${i % 7}`,
    // Binary values: every byte value appears, so nothing is transcoded on the way.
    value: Buffer.from(Array.from({ length: 64 + (i % 50) }, (_, j) => (i * 31 + j) & 0xff)),
    headers: { index: String(i), origin: prefix },
  }));
}

/** Every record arrived once, bytes identical, in production order within each partition. */
function assertSameRecords(sent: readonly Sent[], received: readonly ConsumedRecord[]): void {
  assert.equal(received.length, sent.length);
  const partitionOf = new Map<string, number>();
  for (const [partition, records] of byPartition(received)) {
    let previousIndex = -1;
    records.forEach((record, position) => {
      assert.equal(record.offset, position, 'offsets run 0, 1, 2, ... in each partition');
      const index = Number(record.headers.index!.toString());
      assert.ok(index > previousIndex, 'order per partition is production order');
      previousIndex = index;
      const original = sent[index]!;
      assert.equal(record.key?.toString(), original.key);
      assert.ok(record.value?.equals(original.value), 'value bytes are identical');
      assert.equal(record.headers.origin?.toString(), original.headers.origin);
      const known = partitionOf.get(original.key);
      assert.ok(known === undefined || known === partition, 'one key, one partition');
      partitionOf.set(original.key, partition);
    });
  }
}

describe('produce and consume through real clients', () => {
  let started: StartedBroker;
  let kafka: Kafka;

  before(async () => {
    started = await startBroker({ config: { 'num.partitions': PARTITIONS } });
    kafka = new Kafka({ clientId: 'e2e', brokers: [started.bootstrap], logLevel: logLevel.NOTHING });
  });

  after(async () => {
    await started.stop();
  });

  for (const [name, codec] of [
    ['none', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
  ] as const) {
    test(`kafkajs produces (${name}), kafkajs and @platformatic/kafka read the same bytes back`, async () => {
      const topic = `kafkajs-${name}`;
      const sent = messages(topic, 300);
      const producer = kafka.producer();
      await producer.connect();
      try {
        for (let i = 0; i < sent.length; i += 50) {
          await producer.send({ topic, compression: codec, messages: sent.slice(i, i + 50) });
        }
      } finally {
        await producer.disconnect();
      }
      assertSameRecords(sent, await kafkajsConsumeAll(kafka, topic, PARTITIONS, sent.length));
      assertSameRecords(
        sent,
        await platformaticConsumeAll(started.bootstrap, topic, PARTITIONS, sent.length),
      );
    });
  }

  // @platformatic/kafka compresses zstd with node:zlib, which has zstd only from Node 22.15 on;
  // zstd is covered by kcat (test/interop) where this client cannot do it.
  const platformaticCodecs: CompressionAlgorithmValue[] = ['none', 'gzip', 'snappy', 'lz4'];
  if ('zstdCompressSync' in zlib) platformaticCodecs.push('zstd');
  for (const codec of platformaticCodecs) {
    test(`@platformatic/kafka produces (${codec}) and reads the same bytes back`, async () => {
      const topic = `platformatic-${codec}`;
      const sent = messages(topic, 300);
      const producer = new Producer({
        clientId: 'e2e-producer',
        bootstrapBrokers: [started.bootstrap],
        idempotent: false,
        compression: codec,
        autocreateTopics: true,
        retries: 0,
      });
      try {
        for (let i = 0; i < sent.length; i += 50) {
          await producer.send({
            messages: sent.slice(i, i + 50).map((message) => ({
              topic,
              key: Buffer.from(message.key),
              value: message.value,
              headers: new Map(
                Object.entries(message.headers).map(([key, value]) => [Buffer.from(key), Buffer.from(value)]),
              ),
            })),
          });
        }
      } finally {
        await producer.close();
      }
      assertSameRecords(
        sent,
        await platformaticConsumeAll(started.bootstrap, topic, PARTITIONS, sent.length),
      );
      if (codec === 'none' || codec === 'gzip') {
        assertSameRecords(sent, await kafkajsConsumeAll(kafka, topic, PARTITIONS, sent.length));
      }
    });
  }

  for (const acks of [0, 1, -1]) {
    test(`kafkajs with acks=${acks}: every record is stored`, async () => {
      const topic = `acks-${acks === -1 ? 'all' : acks}`;
      const sent = messages(topic, 100);
      const producer = kafka.producer();
      await producer.connect();
      try {
        for (let i = 0; i < sent.length; i += 25) {
          const result = await producer.send({ topic, acks, messages: sent.slice(i, i + 25) });
          if (acks !== 0) assert.ok(result.every((partition) => partition.errorCode === 0));
        }
      } finally {
        await producer.disconnect();
      }
      assertSameRecords(sent, await kafkajsConsumeAll(kafka, topic, PARTITIONS, sent.length));
    });
  }

  test('a waiting fetch is answered by a record produced later (long poll)', async () => {
    const topic = 'long-poll';
    await started.broker.topics.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const cluster = await kafkajsCluster(kafka, topic);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const startedAt = Date.now();
      const waiting = kafkajsFetchOnce(cluster, topic, new Map([[0, 0]]), { maxWaitTime: 20_000 });
      // Produce only once the fetch is parked on the partition.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !hasWaiter(started)) await new Promise((r) => setTimeout(r, 5));
      const producedAt = Date.now();
      await producer.send({ topic, messages: [{ key: 'k', value: 'woke you up' }] });
      const [data] = await waiting;
      const answeredAt = Date.now();
      assert.equal(data!.errorCode, 0);
      assert.equal(data!.messages.length, 1, 'the waiting fetch carries the new record');
      assert.equal(data!.messages[0]!.value!.toString(), 'woke you up');
      assert.ok(answeredAt >= producedAt);
      console.log(
        `long poll: waited ${producedAt - startedAt} ms, answered ${answeredAt - producedAt} ms after the produce (max wait 20000 ms)`,
      );
    } finally {
      await producer.disconnect();
      await cluster.disconnect();
    }
  });

  test('a fetch with no data is answered empty after max_wait_ms', async () => {
    const topic = 'empty-wait';
    await started.broker.topics.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const cluster = await kafkajsCluster(kafka, topic);
    try {
      const startedAt = Date.now();
      const [data] = await kafkajsFetchOnce(cluster, topic, new Map([[0, 0]]), { maxWaitTime: 300 });
      assert.equal(data!.errorCode, 0);
      assert.equal(data!.messages.length, 0);
      assert.ok(Date.now() - startedAt >= 250, 'the broker held the request for max_wait_ms');
    } finally {
      await cluster.disconnect();
    }
  });

  test('KIP-74: a batch larger than max_bytes and partition_max_bytes is returned whole', async () => {
    const topic = 'kip-74';
    await started.broker.topics.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    const big = Buffer.alloc(200_000, 7);
    try {
      await producer.send({ topic, messages: [{ key: 'big', value: big }] });
      await producer.send({ topic, messages: [{ key: 'small', value: 'after' }] });
    } finally {
      await producer.disconnect();
    }
    const cluster = await kafkajsCluster(kafka, topic);
    try {
      const [data] = await kafkajsFetchOnce(cluster, topic, new Map([[0, 0]]), {
        maxBytes: 1000,
        partitionMaxBytes: 1000,
      });
      assert.equal(data!.errorCode, 0);
      assert.equal(data!.messages.length, 1, 'only the first batch, whole');
      assert.ok(data!.messages[0]!.value!.equals(big));
    } finally {
      await cluster.disconnect();
    }
    // @platformatic/kafka (Fetch v12) sees the same.
    const records = await platformaticConsumeAll(started.bootstrap, topic, 1, 2, {
      maxBytes: 1000,
      partitionMaxBytes: 1000,
    });
    assert.ok(records[0]!.value!.equals(big));
    assert.equal(records[1]!.value!.toString(), 'after');
  });

  test('fetching past the log end: OFFSET_OUT_OF_RANGE with the valid range', async () => {
    const topic = 'out-of-range';
    await started.broker.topics.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const consumer = new Consumer({
      clientId: 'e2e',
      groupId: 'out-of-range',
      bootstrapBrokers: [started.bootstrap],
      retries: 0,
    });
    try {
      const topicId = (await consumer.metadata({ topics: [topic] })).topics.get(topic)!.id;
      await assert.rejects(
        consumer.fetch({
          node: started.broker.brokerId,
          maxWaitTime: 0,
          topics: [
            {
              topicId,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: 1000n,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
        }),
        (error: Error & { errors?: unknown[] }) => {
          assert.match(
            JSON.stringify(error, Object.getOwnPropertyNames(error)),
            /OFFSET_OUT_OF_RANGE|"errorCode":1\b|offset/i,
          );
          return true;
        },
      );
    } finally {
      await consumer.close(true);
    }
    const cluster = await kafkajsCluster(kafka, topic);
    try {
      await assert.rejects(kafkajsFetchOnce(cluster, topic, new Map([[0, 1000]])), /OffsetOutOfRange/);
      // The broker keeps serving the partition.
      // Whole batches come back: the one holding offset 1 starts at 0, clients skip what they passed.
      const [data] = await kafkajsFetchOnce(cluster, topic, new Map([[0, 1]]));
      assert.equal(data!.messages.find((message) => message.offset === '1')?.value?.toString(), 'two');
    } finally {
      await cluster.disconnect();
    }
  });

  test('ListOffsets: earliest, latest and by timestamp (record-precise) through both clients', async () => {
    const topic = 'list-offsets';
    await started.broker.topics.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const base = Date.now() - 60_000;
    const producer = kafka.producer();
    await producer.connect();
    // One batch whose records carry increasing timestamps, then a later batch.
    await producer.send({
      topic,
      messages: [0, 1, 2, 3].map((i) => ({ value: `v${i}`, timestamp: String(base + i * 1000) })),
    });
    await producer.send({ topic, messages: [{ value: 'v4', timestamp: String(base + 10_000) }] });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchTopicOffsets(topic);
      assert.deepEqual({ low: offsets!.low, high: offsets!.high }, { low: '0', high: '5' });
      const at = async (timestamp: number) =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, timestamp))[0]!.offset;
      assert.equal(await at(base), '0');
      assert.equal(await at(base + 2000), '2', 'inside a batch: the exact record');
      assert.equal(await at(base + 2500), '3');
      assert.equal(await at(base + 5000), '4');
      // No record that late: kafkajs reports the latest offset then.
      assert.equal(await at(base + 20_000), '5');
    } finally {
      await admin.disconnect();
    }

    const consumer = new Consumer({
      clientId: 'e2e',
      groupId: 'list-offsets',
      bootstrapBrokers: [started.bootstrap],
      retries: 0,
    });
    try {
      const earliest = await consumer.listOffsets({ topics: [topic], timestamp: -2n });
      const latest = await consumer.listOffsets({ topics: [topic], timestamp: -1n });
      assert.deepEqual(earliest.get(topic), [0n]);
      assert.deepEqual(latest.get(topic), [5n]);
      const byTime = await consumer.listOffsetsWithTimestamps({
        topics: [topic],
        timestamp: BigInt(base + 3000),
      });
      assert.deepEqual(byTime.get(topic)?.get(0), { offset: 3n, timestamp: BigInt(base + 3000) });
      const max = await consumer.listOffsetsWithTimestamps({ topics: [topic], timestamp: -3n });
      assert.deepEqual(max.get(topic)?.get(0), { offset: 4n, timestamp: BigInt(base + 10_000) });
    } finally {
      await consumer.close(true);
    }
  });
});

/** Whether a fetch is parked on some partition (the waiter registry is internal to the broker). */
function hasWaiter(started: StartedBroker): boolean {
  return fetchWaitersOf(started.broker).watchedPartitions > 0;
}
