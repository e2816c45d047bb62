import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

describe('a broker process serves cluster metadata to real clients', () => {
  let broker: BrokerProcess;

  before(async () => {
    broker = await startBrokerProcess();
  });

  after(async () => {
    await broker.stop();
    removeDataDir(broker.dataDir);
  });

  test('kafkajs admin.describeCluster', async () => {
    const kafka = new Kafka({ clientId: 'e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.brokers.length, 1);
      assert.equal(cluster.brokers[0]!.nodeId, 1);
      assert.equal(cluster.brokers[0]!.port, broker.port);
      assert.equal(cluster.controller, 1);
      assert.match(cluster.clusterId, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(await admin.listTopics(), []);
    } finally {
      await admin.disconnect();
    }
  });

  test('@platformatic/kafka admin metadata (flexible versions only)', async () => {
    const admin = new Admin({ clientId: 'e2e', bootstrapBrokers: [broker.bootstrap], retries: 0 });
    try {
      const metadata = await admin.metadata({ topics: [] });
      assert.equal(metadata.brokers.size, 1);
      assert.equal(metadata.brokers.get(1)?.port, broker.port);
      assert.equal(metadata.controllerId, 1);
      assert.match(metadata.id, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(await admin.listTopics(), []);
    } finally {
      await admin.close();
    }
  });

  test('the cluster id is stable across restarts of the same data dir', async () => {
    const kafka = new Kafka({ clientId: 'e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const { clusterId } = await admin.describeCluster();
    await admin.disconnect();

    assert.equal(await broker.stop(), 0, 'SIGTERM stops the broker cleanly');
    assert.match(broker.output(), /stopped cleanly/);
    broker = await startBrokerProcess({ dataDir: broker.dataDir });
    const again = new Kafka({
      clientId: 'e2e',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await again.connect();
    try {
      assert.equal((await again.describeCluster()).clusterId, clusterId);
    } finally {
      await again.disconnect();
    }
  });

  test('garbage on the socket closes that connection and the broker keeps serving', async () => {
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(broker.port, broker.host, resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // A size prefix of 2 GiB - 1: far beyond socket.request.max.bytes.
    socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
    await closed;

    const admin = new Kafka({
      clientId: 'e2e',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      assert.equal((await admin.describeCluster()).brokers.length, 1);
    } finally {
      await admin.disconnect();
    }
  });
});
