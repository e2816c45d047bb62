import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { consumeLoad, produceLoad } from '../../bench/lib/load.js';
import { consumeNative, drainNative } from '../../bench/lib/native-consumer.js';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';

// The benchmark's C reader (bench/consumer/fetch-count.c, compiled on first use) must count
// exactly what the JavaScript reader counts, or the consume rows would compare different work.
describe('bench fetch-count.c reader', () => {
  let started: StartedBroker;
  let host: string;
  let port: number;

  before(async () => {
    started = await startBroker({ logLevel: 'silent', config: { 'num.partitions': 3 } });
    const [h, p] = started.bootstrap.split(':');
    host = h!;
    port = Number(p);
  });

  after(async () => {
    await started.stop();
  });

  for (const recordSize of [100, 1024]) {
    test(`counts every record of three partitions, ${recordSize} B records`, async () => {
      const topic = `fetch-count-${recordSize}`;
      const produced = await produceLoad({
        host,
        port,
        topic,
        recordSize,
        recordsPerBatch: recordSize === 100 ? 500 : 64,
        acks: 1,
        connections: 2,
        inFlight: 2,
        durationMs: 5000,
        maxPayloadBytes: 6 * 1024 * 1024,
      });
      assert.equal(produced.errors, 0, produced.firstError);
      assert.equal(produced.perPartition.length, 3);
      assert.ok(produced.perPartition.every((count) => count > 0));

      const native = await consumeNative({ host, port, topic, expected: produced.perPartition, recordSize });
      assert.equal(native.complete, true);
      assert.equal(native.records, produced.records);
      assert.equal(native.payloadBytes, produced.records * recordSize);
      assert.ok(native.fetches >= 1);

      const js = await consumeLoad({
        host,
        port,
        topic,
        expected: produced.perPartition,
        connections: 1,
        recordSize,
      });
      assert.equal(js.records, native.records);
      assert.equal(js.batchBytes, native.batchBytes);
    });
  }

  test('a partition error from the broker fails the read with its code', async () => {
    await assert.rejects(
      consumeNative({ host, port, topic: 'fetch-count-missing', expected: [1], recordSize: 100 }),
      /Fetch partition 0 error 3\b/,
    );
  });

  test('--drain counts a raw stream to its end', async () => {
    const payload = randomBytes(3 * 1024 * 1024 + 17);
    const server = createServer((socket) => socket.end(payload));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      assert.ok(address !== null && typeof address === 'object');
      const read = await drainNative('127.0.0.1', address.port);
      assert.equal(read.bytes, payload.length);
      assert.ok(read.elapsedMs > 0);
    } finally {
      server.close();
    }
  });
});
