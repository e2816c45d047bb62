import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

// Users run bin/samsa.js, which imports the CLI bundled into dist/samsa.js (npm run bundle); the
// other end-to-end suites run the sources under tsx. This one bundles the current sources the way
// `npm run build` does and drives the command a user starts, so a bundle that leaves something
// behind (a module esbuild cannot inline, code that relies on its own file's location) fails here.

const root = new URL('../../', import.meta.url);
let broker: BrokerProcess;

before(async () => {
  const bundle = spawnSync('npm', ['run', 'bundle', '--silent'], { cwd: root, encoding: 'utf8' });
  assert.equal(bundle.status, 0, `npm run bundle failed:\n${bundle.stdout}${bundle.stderr}`);
  const bundled = readFileSync(new URL('dist/samsa.js', root), 'utf8');
  // Dependencies stay packages (native addons among them); only our own modules are inlined.
  assert.match(bundled, /from "commander"/);
  assert.doesNotMatch(bundled, /from "\.\.?\//);
  broker = await startBrokerProcess({ built: true });
});

after(async () => {
  await broker?.stop();
  if (broker) removeDataDir(broker.dataDir);
});

test('bin/samsa.js (the bundled CLI) serves a kafkajs produce and consume, and stops cleanly on SIGTERM', async () => {
  const kafka = new Kafka({ clientId: 'built-cli', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'built', numPartitions: 2 }] });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` }));
  await producer.send({ topic: 'built', messages, compression: CompressionTypes.GZIP });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'built-cli' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'built', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of 50 records`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === messages.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  assert.deepEqual([...seen].sort(), messages.map((m) => m.value).sort());

  assert.equal(await broker.stop(), 0);
  assert.match(broker.output(), /stopped cleanly/);
});

test('bin/samsa.js gives the broker 16 file I/O threads unless UV_THREADPOOL_SIZE says otherwise', {
  skip: process.platform !== 'linux' && 'threads are counted in /proc',
}, async () => {
  // libuv starts all of its pool's threads at its first job, which the broker's start-up has
  // run (the log directory is read) by the time it listens; the other threads (V8's, the
  // signal and inspector ones) are the same in both processes.
  const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
  const byDefault = await startBrokerProcess({ built: true, env: { UV_THREADPOOL_SIZE: undefined } });
  const four = await startBrokerProcess({ built: true, env: { UV_THREADPOOL_SIZE: '4' } });
  try {
    assert.equal(threads(byDefault.process.pid!) - threads(four.process.pid!), 12);
  } finally {
    for (const started of [byDefault, four]) {
      await started.stop();
      removeDataDir(started.dataDir);
    }
  }
});
