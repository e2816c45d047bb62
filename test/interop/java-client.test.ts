/**
 * The Apache Kafka Java client (kafka-clients 4.4 from Maven Central, see bench/kafka/) against
 * Samsa: test/interop/java/SamsaClientCheck.java creates a topic with AdminClient, describes the
 * cluster, produces keyed records with headers with the producer's defaults (acks=all and
 * idempotence, so InitProducerId and sequence numbers), consumes them in a classic group and in a
 * KIP-848 group, commits, and prints a JSON summary that this test checks record by record.
 * The program is compiled with javac into a temporary directory; nothing Java is committed but
 * its source. Skipped when java/javac are missing, or the jars are neither cached nor resolvable.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { batchHeader, iterateBatches } from '../../src/protocol/records/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE_DIR = join(import.meta.dirname, 'java');
const RECORDS = 300;

function hasTool(name: string): boolean {
  return spawnSync(name, ['-version'], { stdio: 'ignore' }).status === 0;
}

/** The jars are cached, or Maven can resolve them. */
function jarsObtainable(): boolean {
  const cached = spawnSync(
    'bash',
    ['-c', `source "${join(ROOT, 'bench', 'kafka', 'common.sh')}" && test -f "$KAFKA_LIBS/.complete"`],
    { stdio: 'ignore' },
  );
  return cached.status === 0 || hasTool('mvn');
}

const javaAvailable = hasTool('java') && hasTool('javac') && jarsObtainable();

/** The client jars and what they need at run time (logging, compression codecs). */
function clientClasspath(): string {
  const libs = execFileSync('bash', [join(ROOT, 'bench', 'kafka', 'fetch.sh')], { encoding: 'utf8' }).trim();
  const wanted = [
    /^kafka-clients-/,
    /^slf4j-api-/,
    /^log4j-(api|core|slf4j2-impl)-/,
    /^lz4-java-/,
    /^snappy-java-/,
    /^zstd-jni-/,
  ];
  const jars = readdirSync(libs).filter(
    (name) => name.endsWith('.jar') && wanted.some((re) => re.test(name)),
  );
  assert.ok(
    jars.some((name) => name.startsWith('kafka-clients-')),
    `no kafka-clients jar in ${libs}`,
  );
  return jars.map((name) => join(libs, name)).join(':');
}

interface Row {
  key: string;
  value: string;
  headers: [string, string][];
  partition: number;
  offset: number;
}

interface GroupSummary {
  groupId: string;
  consumed: Row[];
  assignment: number[];
  committedByConsumer: Record<string, number>;
  committedByAdmin: Record<string, number>;
  described: { state?: string; type?: string; members?: number };
}

interface Summary {
  cluster: { clusterId?: string; controller?: number; nodes?: { id: number; host: string; port: number }[] };
  topic: { name: string; partitions?: number; topicId?: string };
  produced: Row[];
  groups: { classic: GroupSummary; consumer: GroupSummary };
  listedGroups: { groupId: string; type: string | null; protocol: string; state: string | null }[];
  errors: string[];
}

function runJava(classpath: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      [
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        `-Dlog4j2.configurationFile=${join(SOURCE_DIR, 'log4j2.properties')}`,
        '-cp',
        classpath,
        'SamsaClientCheck',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`SamsaClientCheck exited ${code ?? signal}:\n${stderr}\n${stdout}`));
    });
  });
}

/** "Produce(0): 0 to 11 [usable: 11]" lines of the client's debug log, as { Produce: 11 }. */
function negotiatedVersions(stderr: string): Record<string, number> {
  const versions: Record<string, number> = {};
  const line = stderr.split('\n').find((l) => l.includes('has finalized features'));
  for (const match of line?.matchAll(/(\w+)\(\d+\): [^[,]*\[usable: (\d+)\]/g) ?? []) {
    versions[match[1]!] = Number(match[2]);
  }
  return versions;
}

function byKey(rows: Row[]): Map<string, Row> {
  return new Map(rows.map((row) => [row.key, row]));
}

describe('Apache Kafka Java client (kafka-clients 4.4)', {
  skip: !javaAvailable && 'java/javac not found',
}, () => {
  let started: StartedBroker;
  let classDir: string;
  let summary: Summary;
  let versions: Record<string, number>;

  before(async () => {
    const classpath = clientClasspath();
    classDir = mkdtempSync(join(tmpdir(), 'samsa-java-'));
    execFileSync('javac', ['-d', classDir, '-cp', classpath, join(SOURCE_DIR, 'SamsaClientCheck.java')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started = await startBroker({
      logLevel: 'silent',
      config: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 5 },
    });
    const { stdout, stderr } = await runJava(`${classpath}:${classDir}`, [
      started.bootstrap,
      'java-topic',
      String(RECORDS),
      'java-group',
    ]);
    summary = JSON.parse(stdout) as Summary;
    versions = negotiatedVersions(stderr);
  });

  after(async () => {
    await started?.stop();
    if (classDir) rmSync(classDir, { recursive: true, force: true });
  });

  test('every step ran without an error', (t) => {
    t.diagnostic(`negotiated: ${JSON.stringify(versions)}`);
    assert.deepEqual(summary.errors, []);
    assert.equal(versions.InitProducerId, 5);
    assert.equal(versions.ConsumerGroupHeartbeat, 1);
  });

  test('AdminClient: describeCluster and createTopics/describeTopics', () => {
    assert.equal(summary.cluster.clusterId, started.broker.clusterId);
    assert.equal(summary.cluster.controller, started.broker.brokerId);
    assert.deepEqual(summary.cluster.nodes, [
      { id: started.broker.brokerId, host: started.host, port: started.port },
    ]);
    assert.equal(summary.topic.partitions, 3);
    assert.equal(summary.topic.topicId !== undefined && summary.topic.topicId.length > 0, true);
    assert.equal(started.broker.image().topic('java-topic')?.partitions.length, 3);
  });

  test('the idempotent producer stored every record once, under its producer id, in sequence', async () => {
    assert.equal(summary.produced.length, RECORDS);
    for (let partition = 0; partition < 3; partition++) {
      const offsets = summary.produced
        .filter((row) => row.partition === partition)
        .map((row) => row.offset)
        .sort((a, b) => a - b);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => i),
        `partition ${partition} offsets`,
      );
      const log = started.broker.logs.getLog({ topic: 'java-topic', partition })!;
      assert.equal(log.highWatermark, offsets.length);
      // Sequences per partition run 0, 1, 2, ... over the batches of one producer id.
      const read = await log.read(0, 10 * 1024 * 1024);
      let expectedSequence = 0;
      let producerId: number | undefined;
      for (const { batch } of iterateBatches(read.records)) {
        assert.ok(batchHeader.producerId(batch) >= 0, 'a producer id from InitProducerId');
        producerId ??= batchHeader.producerId(batch);
        assert.equal(batchHeader.producerId(batch), producerId);
        assert.equal(batchHeader.producerEpoch(batch), 0);
        assert.equal(batchHeader.baseSequence(batch), expectedSequence);
        expectedSequence += batchHeader.lastOffsetDelta(batch) + 1;
      }
      assert.equal(expectedSequence, offsets.length);
    }
  });

  for (const protocol of ['classic', 'consumer'] as const) {
    test(`group.protocol=${protocol}: every record consumed with its key, value and headers, and committed`, async () => {
      const group = summary.groups[protocol];
      const produced = byKey(summary.produced);
      assert.equal(group.consumed.length, RECORDS);
      assert.deepEqual(byKey(group.consumed), produced);
      assert.equal(
        Buffer.from(group.consumed[0]!.headers.find(([key]) => key === 'binary')![1], 'base64').length,
        3,
      );
      assert.deepEqual([...group.assignment].sort(), [0, 1, 2]);

      const ends: Record<string, number> = {};
      for (const row of summary.produced)
        ends[row.partition] = Math.max(ends[row.partition] ?? 0, row.offset + 1);
      assert.deepEqual(group.committedByConsumer, ends);
      assert.deepEqual(group.committedByAdmin, ends);
      assert.equal(group.described.state, 'Empty');
      assert.equal(group.described.type, protocol === 'classic' ? 'Classic' : 'Consumer');

      // Read back by another client: kafkajs' admin (OffsetFetch) sees the same commits.
      const admin = new Kafka({ brokers: [started.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const [fetched] = await admin.fetchOffsets({ groupId: group.groupId, topics: ['java-topic'] });
        const offsets = Object.fromEntries(
          fetched!.partitions.map((p) => [String(p.partition), Number(p.offset)]),
        );
        assert.deepEqual(offsets, ends);
      } finally {
        await admin.disconnect();
      }
    });
  }

  test('Admin.listGroups names both groups with their types', () => {
    const listed = Object.fromEntries(summary.listedGroups.map((group) => [group.groupId, group]));
    assert.equal(listed['java-group-classic']?.type, 'Classic');
    assert.equal(listed['java-group-consumer']?.type, 'Consumer');
    assert.equal(listed['java-group-consumer']?.protocol, 'consumer');
  });
});
