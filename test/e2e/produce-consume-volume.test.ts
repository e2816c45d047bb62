import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { nativeFiles } from '../../src/util/sendfile.js';
import {
  byPartition,
  type ConsumedRecord,
  kafkajsConsumeAll,
  platformaticConsumeAll,
} from './produce-consume.helpers.js';

/** Record count: 100k in npm test; test/interop runs the 1M variant through SAMSA_VOLUME_RECORDS. */
export const VOLUME_RECORDS = Number(process.env.SAMSA_VOLUME_RECORDS ?? 100_000);
const PARTITIONS = 6;
const PER_SEND = 1000;
const IN_FLIGHT = 4;

/**
 * Sends in flight together may be sent or appended in any order (clients do not promise more),
 * so each of the IN_FLIGHT concurrent sends of a wave uses its own keys; waves run one after
 * another, so each key's records are produced in sequence order.
 */
function keyOf(i: number): string {
  const slot = Math.floor(i / PER_SEND) % IN_FLIGHT;
  return `key-${slot}-${i % 251}`;
}

/** Per key, sequence numbers must come back in order; per partition, offsets 0..n-1. */
function assertInOrder(records: readonly ConsumedRecord[], total: number): void {
  assert.equal(records.length, total);
  const lastByKey = new Map<string, number>();
  for (const list of byPartition(records).values()) {
    list.forEach((record, position) => {
      assert.equal(record.offset, position);
      const key = record.key!.toString();
      const sequence = Number(record.headers.seq!.toString());
      assert.ok(sequence > (lastByKey.get(key) ?? -1), `order of ${key}`);
      lastByKey.set(key, sequence);
      assert.equal(record.value!.toString(), `value-${sequence}`);
    });
  }
}

async function inWaves(total: number, send: (from: number, to: number) => Promise<unknown>): Promise<void> {
  // Sends of one key go in order because each wave completes before the next one starts.
  for (let from = 0; from < total; from += PER_SEND * IN_FLIGHT) {
    const wave: Promise<unknown>[] = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      const start = from + i * PER_SEND;
      if (start < total) wave.push(send(start, Math.min(start + PER_SEND, total)));
    }
    await Promise.all(wave);
  }
}

/** Fetch responses sent from files with sendfile so far (none where the platform has no sendfile). */
function filesSent(started: StartedBroker): number {
  return started.broker.netMetrics?.fileRegionsSent ?? 0;
}

/** Whether this machine sends fetch responses from files (Linux with koffi loaded). */
const SENDS_FILES = nativeFiles() !== undefined;

/**
 * On a real data directory, with sendfile turned on (samsa.fetch.sendfile.min.bytes, off by
 * default), so that reads of 64 KiB or more go from the log files to the socket with sendfile:
 * both clients check those bytes record by record.
 */
describe(`volume: ${VOLUME_RECORDS} keyed records with headers into ${PARTITIONS} partitions`, () => {
  let started: StartedBroker;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'samsa-volume-'));
    started = await startBroker({
      dataDir,
      config: { 'num.partitions': PARTITIONS, 'samsa.fetch.sendfile.min.bytes': 65536 },
    });
  });

  after(async () => {
    await started.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('kafkajs produces and reads everything back in order per partition', async () => {
    const kafka = new Kafka({ clientId: 'volume', brokers: [started.bootstrap], logLevel: logLevel.NOTHING });
    const topic = 'volume-kafkajs';
    await started.broker.topics.createTopic(topic, { partitions: PARTITIONS, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    const startedAt = Date.now();
    try {
      // A key's records go to one partition; waves keep each key's sends ordered.
      await inWaves(VOLUME_RECORDS, (from, to) =>
        producer.send({
          topic,
          messages: Array.from({ length: to - from }, (_, j) => {
            const i = from + j;
            return { key: keyOf(i), value: `value-${i}`, headers: { seq: String(i) } };
          }),
        }),
      );
    } finally {
      await producer.disconnect();
    }
    const producedAt = Date.now();
    const sentBefore = filesSent(started);
    const records = await kafkajsConsumeAll(kafka, topic, PARTITIONS, VOLUME_RECORDS, {
      maxBytes: 50 << 20,
      partitionMaxBytes: 8 << 20,
    });
    const consumedAt = Date.now();
    assertInOrder(records, VOLUME_RECORDS);
    if (SENDS_FILES) assert.ok(filesSent(started) > sentBefore, 'some fetches were answered with sendfile');
    console.log(
      `kafkajs ${VOLUME_RECORDS} records: produce ${producedAt - startedAt} ms, consume ${consumedAt - producedAt} ms`,
    );
  });

  test('@platformatic/kafka produces and reads everything back in order per partition', async () => {
    const topic = 'volume-platformatic';
    await started.broker.topics.createTopic(topic, { partitions: PARTITIONS, replicationFactor: 1 });
    const producer = new Producer({
      clientId: 'volume',
      bootstrapBrokers: [started.bootstrap],
      idempotent: false,
      retries: 0,
    });
    const startedAt = Date.now();
    try {
      await inWaves(VOLUME_RECORDS, (from, to) =>
        producer.send({
          messages: Array.from({ length: to - from }, (_, j) => {
            const i = from + j;
            return {
              topic,
              key: Buffer.from(keyOf(i)),
              value: Buffer.from(`value-${i}`),
              headers: new Map([[Buffer.from('seq'), Buffer.from(String(i))]]),
            };
          }),
        }),
      );
    } finally {
      await producer.close();
    }
    const producedAt = Date.now();
    const sentBefore = filesSent(started);
    const records = await platformaticConsumeAll(started.bootstrap, topic, PARTITIONS, VOLUME_RECORDS, {
      maxBytes: 50 << 20,
      partitionMaxBytes: 8 << 20,
    });
    const consumedAt = Date.now();
    assertInOrder(records, VOLUME_RECORDS);
    if (SENDS_FILES) assert.ok(filesSent(started) > sentBefore, 'some fetches were answered with sendfile');
    console.log(
      `@platformatic/kafka ${VOLUME_RECORDS} records: produce ${producedAt - startedAt} ms, consume ${consumedAt - producedAt} ms`,
    );
  });
});
