/**
 * Crash safety end to end: producers write with acks=all while the broker process is SIGKILLed
 * mid-stream, several rounds on the same data dir. After a final restart every acknowledged
 * record must be there with the same value at the same offset, and each partition's offsets must
 * run from 0 to the high watermark without a hole. Records that were in flight when the broker
 * died may or may not be there; what is there must still be contiguous.
 *
 * A SIGKILL loses the process, not the kernel's page cache, so this checks recovery and offset
 * assignment after a crash (torn-write and power-loss cases are covered at the FileSystem level
 * in test/storage). Both durability modes are run.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import {
  apiVersions,
  buildBatch,
  decodeProduceResponse,
  ensureTopic,
  fetch,
  pickVersion,
  prebuildProduce,
} from '../../bench/lib/kafka.js';
import { WireConnection } from '../../bench/lib/wire.js';
import { Apis } from '../../src/protocol/generated/api-keys.js';
import { iterateBatches } from '../../src/protocol/records/record-batch.js';
import { readRecords } from '../../src/protocol/records/records.js';
import { recordBytes } from '../../src/util/file-region.js';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

const TOPIC = 'crash-safety';
const PARTITIONS = 3;
const ROUNDS = 3;
const PRODUCERS = 3;
const IN_FLIGHT = 4;

/** partition -> offset -> value of every acknowledged record. */
type Acknowledged = Map<number, Map<number, string>>;

interface RoundStats {
  acknowledged: number;
  failed: number;
  inFlightAtKill: number;
}

async function versions(connection: WireConnection): Promise<{ produce: number; fetch: number }> {
  const ranges = await apiVersions(connection);
  const produce = pickVersion(ranges, Apis.Produce.apiKey, 9, { min: 3, max: 9 });
  const fetchVersion = pickVersion(ranges, Apis.Fetch.apiKey, 12, { min: 4, max: 12 });
  assert.ok(produce !== undefined && fetchVersion !== undefined, 'the broker serves Produce and Fetch');
  return { produce, fetch: fetchVersion };
}

/**
 * Runs PRODUCERS pipelined acks=all producers against `broker` and SIGKILLs it after `killAfterMs`
 * (once something has been acknowledged), recording every acknowledged record.
 */
async function produceUntilKilled(
  broker: BrokerProcess,
  round: number,
  killAfterMs: number,
  acknowledged: Acknowledged,
): Promise<RoundStats> {
  const admin = await WireConnection.connect(broker.host, broker.port);
  const { produce: version } = await versions(admin);
  assert.equal(await ensureTopic(admin, TOPIC), PARTITIONS);
  admin.close();

  const stats: RoundStats = { acknowledged: 0, failed: 0, inFlightAtKill: 0 };
  const connections = await Promise.all(
    Array.from({ length: PRODUCERS }, () => WireConnection.connect(broker.host, broker.port)),
  );
  let stop = false;
  const producers = connections.map(async (connection, producer) => {
    const pending = new Set<Promise<void>>();
    let sequence = 0;
    while (!stop && !connection.closed) {
      while (pending.size < IN_FLIGHT && !stop) {
        const partition = (producer + sequence) % PARTITIONS;
        const count = 1 + ((sequence * 7 + producer) % 25);
        const values = Array.from({ length: count }, (_, i) => `r${round}-p${producer}-s${sequence}-${i}`);
        sequence++;
        const request = prebuildProduce(
          version,
          TOPIC,
          partition,
          -1,
          buildBatch(values.map((value) => Buffer.from(value))),
        );
        const sent: Promise<void> = connection.sendPrebuilt(request).then(
          (body) => {
            const response = decodeProduceResponse(body, version);
            const answer = response.responses[0]!.partitionResponses[0]!;
            assert.equal(answer.index, partition);
            if (answer.errorCode !== 0) {
              stats.failed++;
              return;
            }
            const base = Number(answer.baseOffset);
            let log = acknowledged.get(partition);
            if (!log) acknowledged.set(partition, (log = new Map()));
            values.forEach((value, i) => {
              assert.ok(
                !log.has(base + i),
                `offset ${base + i} of partition ${partition} acknowledged twice`,
              );
              log.set(base + i, value);
            });
            stats.acknowledged += count;
          },
          () => {
            stats.failed++; // unknown outcome: the broker died first
          },
        );
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
      }
      if (pending.size > 0) await Promise.race(pending);
    }
    await Promise.allSettled(pending);
  });

  const started = Date.now();
  while (Date.now() - started < killAfterMs || (stats.acknowledged === 0 && Date.now() - started < 15_000)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stats.inFlightAtKill = connections.reduce((sum, connection) => sum + connection.inFlight, 0);
  await broker.kill();
  stop = true;
  await Promise.all(producers);
  for (const connection of connections) connection.close();
  return stats;
}

interface PartitionContents {
  logStartOffset: number;
  highWatermark: number;
  records: Map<number, string>;
  holes: string[];
}

/** Reads each partition from 0 to its high watermark, checking offsets are contiguous. */
async function readAll(broker: BrokerProcess): Promise<PartitionContents[]> {
  const connection = await WireConnection.connect(broker.host, broker.port);
  try {
    const { fetch: version } = await versions(connection);
    const contents: PartitionContents[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const content: PartitionContents = {
        logStartOffset: -1,
        highWatermark: -1,
        records: new Map(),
        holes: [],
      };
      let offset = 0;
      for (;;) {
        const response = await fetch(connection, version, TOPIC, [{ partition, offset }], { maxWaitMs: 0 });
        assert.equal(response.errorCode, 0);
        const data = response.responses[0]!.partitions[0]!;
        assert.equal(data.errorCode, 0, `Fetch of partition ${partition} at ${offset}`);
        content.logStartOffset = Number(data.logStartOffset);
        content.highWatermark = Number(data.highWatermark);
        if (offset >= content.highWatermark) break;
        let progressed = false;
        for (const { batch } of iterateBatches(recordBytes(data.records ?? Buffer.alloc(0)), {
          allowPartial: true,
        })) {
          for (const record of readRecords(batch)) {
            if (record.offset < offset) continue;
            if (record.offset !== offset) content.holes.push(`${offset}..${record.offset - 1}`);
            content.records.set(record.offset, record.value?.toString() ?? '<null>');
            offset = record.offset + 1;
            progressed = true;
          }
        }
        assert.ok(
          progressed,
          `Fetch of partition ${partition} at ${offset} below the high watermark returned nothing`,
        );
      }
      contents.push(content);
    }
    return contents;
  } finally {
    connection.close();
  }
}

function crashRounds(durability: 'fsync' | 'pagecache') {
  return async (t: TestContext) => {
    const args = ['--set', `num.partitions=${PARTITIONS}`, '--set', `samsa.durability=${durability}`];
    const acknowledged: Acknowledged = new Map();
    let broker = await startBrokerProcess({ args });
    const dataDir = broker.dataDir;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round > 0) broker = await startBrokerProcess({ dataDir, args });
        const stats = await produceUntilKilled(broker, round, 300 + round * 150, acknowledged);
        assert.ok(stats.acknowledged > 0, `round ${round}: something was acknowledged before the kill`);
        t.diagnostic(
          `round ${round}: ${stats.acknowledged} records acknowledged, ${stats.inFlightAtKill} requests in flight at the kill, ${stats.failed} without an answer`,
        );
      }
      broker = await startBrokerProcess({ dataDir, args });
      const contents = await readAll(broker);
      t.diagnostic(
        `after restart: high watermarks ${contents.map((content) => content.highWatermark).join(', ')}`,
      );
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const content = contents[partition]!;
        const acked = acknowledged.get(partition) ?? new Map<number, string>();
        assert.equal(content.logStartOffset, 0, `partition ${partition} still starts at 0`);
        assert.deepEqual(content.holes, [], `partition ${partition} has no holes`);
        assert.equal(
          content.records.size,
          content.highWatermark,
          `partition ${partition}: one record per offset`,
        );
        const missing: string[] = [];
        for (const [offset, value] of acked) {
          const stored = content.records.get(offset);
          if (stored !== value)
            missing.push(`${offset}: acknowledged ${value}, found ${stored ?? 'nothing'}`);
        }
        assert.deepEqual(
          missing.slice(0, 10),
          [],
          `partition ${partition}: ${missing.length} acknowledged records lost or changed`,
        );
      }
      assert.equal(await broker.stop(), 0);
    } finally {
      await broker.kill();
      removeDataDir(dataDir);
    }
  };
}

describe('acknowledged records survive SIGKILL of the broker process', { timeout: 60_000 }, () => {
  test(
    'durability=fsync (default): 3 kills mid-stream, then every acked record at its offset',
    crashRounds('fsync'),
  );
  test(
    'durability=pagecache: 3 kills mid-stream, then every acked record at its offset',
    crashRounds('pagecache'),
  );
});
