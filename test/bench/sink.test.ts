import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { produceLoad } from '../../bench/lib/load.js';
import { spawnSink } from '../../bench/lib/processes.js';
import { latencyRun } from '../../bench/lib/scenarios.js';
import { parseRequestHeader } from '../../src/protocol/frame.js';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { Reader } from '../../src/protocol/primitives/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'samsa-sink-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The partition index and correlation id of every Produce frame stored back to back in `file`. */
function framesOf(file: string): { partition: number; correlationId: number }[] {
  const bytes = readFileSync(file);
  const frames: { partition: number; correlationId: number }[] = [];
  let at = 0;
  while (at < bytes.length) {
    const header = parseRequestHeader(bytes.subarray(at), 2);
    assert.equal(header.apiKey, Apis.Produce.apiKey);
    const reader = new Reader(bytes.subarray(at + header.bodyOffset));
    const request = Apis.Produce.request.decode(reader, header.apiVersion);
    const partitions = request.topicData.flatMap((topic) => topic.partitionData.map((data) => data.index));
    assert.equal(partitions.length, 1);
    frames.push({ partition: partitions[0]!, correlationId: header.correlationId });
    at += header.bodyOffset + reader.offset;
  }
  return frames;
}

describe('raw baseline sink', () => {
  test('with a file count it appends each Produce frame, whole, to the file of its partition', async () => {
    const path = join(dir, 'sink.bin');
    const sink = await spawnSink(['receive', 'fdatasync', path, '3']);
    let requests: number;
    try {
      const result = await produceLoad({
        host: sink.host,
        port: sink.port,
        topic: 'bench',
        recordSize: 100,
        recordsPerBatch: 5,
        acks: 1,
        connections: 2,
        inFlight: 4,
        durationMs: 300,
        raw: true,
        partitions: 3,
      });
      assert.equal(result.errors, 0, result.firstError);
      requests = result.requests;
      assert.ok(requests >= 6, `${requests} requests`);
    } finally {
      await sink.stop();
    }
    let stored = 0;
    const perFile: number[] = [];
    for (let index = 0; index < 3; index++) {
      const frames = framesOf(`${path}.${index}`);
      for (const frame of frames) assert.equal(frame.partition, index);
      perFile.push(frames.length);
      stored += frames.length;
    }
    // Every acknowledged request was written, once; round robin fills the files evenly.
    assert.equal(stored, requests);
    assert.ok(Math.max(...perFile) - Math.min(...perFile) <= 2 * 4, `frames per file ${perFile}`);
  });

  test('a raw latency run measures the acknowledgement of every request it sent in the window', async () => {
    const path = join(dir, 'latency.bin');
    const sink = await spawnSink(['receive', 'fdatasync', path]);
    let acknowledged = 0;
    try {
      const result = await latencyRun({
        host: sink.host,
        port: sink.port,
        topic: 'latency',
        rate: 2000,
        recordSize: 100,
        warmUpMs: 100,
        measureMs: 500,
        raw: true,
      });
      assert.equal(result.errors, 0, result.firstError);
      // ~1,000 records in the 500 ms window at 2,000/s, all acknowledged (records counts them).
      assert.ok(result.records >= 800 && result.records <= 1200, `${result.records} records`);
      assert.ok(result.sent >= result.records);
      assert.ok(
        result.p50 > 0 && result.p50 <= result.p99 && result.p99 <= result.max,
        JSON.stringify(result),
      );
      assert.equal(result.ackP99, result.p99);
      acknowledged = result.records;
    } finally {
      await sink.stop();
    }
    // Acknowledged means written: the file holds at least the values of those records.
    assert.ok(readFileSync(path).length >= acknowledged * 100);
  });
});
