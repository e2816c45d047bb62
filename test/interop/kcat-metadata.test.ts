import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type BrokerProcess, removeDataDir, startBrokerProcess } from '../helpers/broker-process.js';

const run = promisify(execFile);

describe('kcat (librdkafka) against a broker process', () => {
  let broker: BrokerProcess;

  before(async () => {
    broker = await startBrokerProcess();
  });

  after(async () => {
    await broker.stop();
    removeDataDir(broker.dataDir);
  });

  test('kcat -L lists the broker', async () => {
    const { stdout } = await run('kcat', ['-L', '-b', broker.bootstrap, '-m', '10']);
    assert.match(stdout, /1 brokers:/);
    assert.match(stdout, new RegExp(`broker 1 at [^\\s]+:${broker.port} \\(controller\\)`));
  });

  test('kcat -L -J reports the broker as JSON', async () => {
    const { stdout } = await run('kcat', ['-L', '-J', '-b', broker.bootstrap, '-m', '10']);
    const metadata = JSON.parse(stdout) as { brokers: { id: number; name: string }[]; controllerid: number };
    assert.equal(metadata.brokers.length, 1);
    assert.equal(metadata.brokers[0]!.id, 1);
    assert.equal(metadata.controllerid, 1);
    assert.ok(metadata.brokers[0]!.name.endsWith(`:${broker.port}`));
  });
});
