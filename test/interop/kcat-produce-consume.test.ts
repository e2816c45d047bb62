import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type StartedBroker, startBroker } from '../../src/broker/broker.js';
import { batchHeader, splitBatches } from '../../src/protocol/records/index.js';

const run = promisify(execFile);
const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Runs kcat with `input` on its standard input; resolves with its standard output. */
function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`));
    });
    child.stdin.end(input ?? '');
  });
}

describe('kcat (librdkafka) produces and consumes', () => {
  let started: StartedBroker;

  before(async () => {
    started = await startBroker({ config: { 'num.partitions': 3 } });
  });

  after(async () => {
    await started.stop();
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    test(`keyed records with headers, compression ${codec}`, async () => {
      const topic = `kcat-${codec}`;
      const lines = Array.from(
        { length: 200 },
        (_, i) => `key-${i % 11}:value ${i} ${'x'.repeat(100 + (i % 40))}`,
      );
      await kcat(
        [
          '-P',
          '-b',
          started.bootstrap,
          '-t',
          topic,
          '-K:',
          '-H',
          'origin=kcat',
          '-H',
          `codec=${codec}`,
          '-z',
          codec,
        ],
        `${lines.join('\n')}\n`,
      );
      const output = await kcat([
        '-C',
        '-b',
        started.bootstrap,
        '-t',
        topic,
        '-e',
        '-o',
        'beginning',
        '-f',
        '%p|%o|%k|%s|%h\n',
      ]);
      const received = output.split('\n').filter((line) => line.length > 0);
      assert.equal(received.length, lines.length);
      const perPartition = new Map<string, number[]>();
      for (const line of received) {
        const [partition, offset, key, value, headers] = line.split('|');
        const index = Number(value!.split(' ')[1]);
        assert.equal(`${key}:${value}`, lines[index], 'key and value come back byte for byte');
        assert.equal(headers, `origin=kcat,codec=${codec}`);
        const seen = perPartition.get(partition!) ?? [];
        assert.equal(Number(offset), seen.length, 'offsets run 0, 1, 2, ... per partition');
        seen.push(index);
        perPartition.set(partition!, seen);
      }
      // librdkafka really compressed (it silently stops if the broker's ranges miss versions it checks).
      const codecs = new Set<number>();
      for (let partition = 0; partition < 3; partition++) {
        const log = started.broker.topics.log(topic, partition)!;
        if (log.logEndOffset === 0) continue;
        const { records } = await log.read(0, 64 << 20, { minOneBatch: true });
        for (const span of splitBatches(records).batches) codecs.add(batchHeader.compression(span.batch));
      }
      // librdkafka 2.0.2 uses LZ4 only when FindCoordinator v0 is advertised (its feature check).
      assert.ok(codecs.has(CODECS[codec]!), `stored codecs ${[...codecs]} include ${codec}`);
      for (const indexes of perPartition.values()) {
        assert.deepEqual(
          indexes,
          [...indexes].sort((a, b) => a - b),
          'order per partition kept',
        );
      }
    });
  }

  test('volume: 1,000,000 keyed records with headers, 6 partitions, back in order per partition', async () => {
    const topic = 'kcat-volume';
    const total = 1_000_000;
    await started.broker.topics.createTopic(topic, { partitions: 6, replicationFactor: 1 });
    const directory = mkdtempSync(join(tmpdir(), 'samsa-kcat-'));
    const file = join(directory, 'records.txt');
    try {
      const lines: string[] = [];
      for (let i = 0; i < total; i++) lines.push(`key-${i % 1009}:${i}`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const startedAt = Date.now();
      await run(
        'kcat',
        ['-P', '-b', started.bootstrap, '-t', topic, '-K:', '-H', 'origin=kcat', '-z', 'lz4', '-l', file],
        {
          maxBuffer: 1 << 20,
        },
      );
      const producedAt = Date.now();
      const { stdout } = await run(
        'kcat',
        ['-C', '-b', started.bootstrap, '-t', topic, '-e', '-o', 'beginning', '-q', '-f', '%p %o %k %s\n'],
        { maxBuffer: 256 << 20 },
      );
      const consumedAt = Date.now();
      const nextOffset = new Map<string, number>();
      const lastByKey = new Map<string, number>();
      let count = 0;
      for (const line of stdout.split('\n')) {
        if (line.length === 0) continue;
        const [partition, offset, key, value] = line.split(' ');
        assert.equal(
          Number(offset),
          nextOffset.get(partition!) ?? 0,
          'offsets are consecutive per partition',
        );
        nextOffset.set(partition!, Number(offset) + 1);
        const sequence = Number(value);
        assert.equal(key, `key-${sequence % 1009}`);
        assert.ok(sequence > (lastByKey.get(key!) ?? -1), 'per-key order kept');
        lastByKey.set(key!, sequence);
        count++;
      }
      assert.equal(count, total);
      console.log(
        `kcat ${total} records: produce ${producedAt - startedAt} ms, consume ${consumedAt - producedAt} ms`,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('kcat -Q finds offsets by timestamp', async () => {
    const topic = 'kcat-query';
    await kcat(['-P', '-b', started.bootstrap, '-t', topic, '-p', '0'], 'a\nb\nc\n');
    const { stdout } = await run('kcat', ['-Q', '-b', started.bootstrap, '-t', `${topic}:0:0`]);
    assert.match(stdout, /kcat-query \[0\] offset 0/);
  });
});
