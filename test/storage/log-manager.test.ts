import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { OffsetCheckpointFile } from '../../src/storage/checkpoint-file.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { NodeFileSystem } from '../../src/storage/node-file-system.js';
import { listBatches, simpleBatch } from './helpers.js';

const orders0 = { topic: 'orders', partition: 0 };
const orders1 = { topic: 'orders', partition: 1 };
const dashed = { topic: 'my-topic-name', partition: 12 };

describe('LogManager', () => {
  test('clean shutdown writes checkpoints and the marker; the next start scans nothing', async () => {
    const fs = new MemoryFileSystem();
    const options = { segmentBytes: 800 };
    let manager = await LogManager.open({ fs, logDir: '/data', scheduler: false, optionsFor: () => options });
    for (const tp of [orders0, orders1, dashed]) {
      const log = await manager.getOrCreateLog(tp);
      for (let i = 0; i < 40; i++) await log.append(simpleBatch(1, 30));
    }
    await manager.close();
    assert.ok(await fs.exists('/data/.kafka_cleanshutdown'));
    const recovery = await new OffsetCheckpointFile(fs, '/data/recovery-point-offset-checkpoint').read();
    assert.deepEqual(recovery.map((entry) => `${entry.topic} ${entry.partition} ${entry.offset}`).sort(), [
      'my-topic-name 12 40',
      'orders 0 40',
      'orders 1 40',
    ]);
    const text = (await fs.readFile('/data/log-start-offset-checkpoint')).toString();
    assert.match(text, /^0\n3\n/);

    manager = await LogManager.open({ fs, logDir: '/data', scheduler: false, optionsFor: () => options });
    assert.equal(manager.cleanShutdownDetected, true);
    assert.equal(await fs.exists('/data/.kafka_cleanshutdown'), false, 'marker removed at start');
    for (const log of manager.allLogs()) {
      assert.equal(log.recoveryStats.batchesScanned, 0);
      assert.equal(log.logEndOffset, 40);
    }
    assert.equal(manager.getLog(dashed)?.logEndOffset, 40);
    // Unclean stop: the power fails after more appends; recovery scans only the tail.
    for (let i = 0; i < 5; i++) await manager.getLog(orders0)!.append(simpleBatch(1, 30));
    await manager.checkpoint();
    for (let i = 0; i < 5; i++) await manager.getLog(orders0)!.append(simpleBatch(1, 30));
    const crashed = fs.crash();
    await manager.close();
    manager = await LogManager.open({
      fs: crashed,
      logDir: '/data',
      scheduler: false,
      optionsFor: () => options,
    });
    assert.equal(manager.cleanShutdownDetected, false);
    const log = manager.getLog(orders0)!;
    assert.equal(log.logEndOffset, 50);
    assert.ok(log.recoveryStats.batchesScanned < 50 && log.recoveryStats.batchesScanned >= 5);
    await manager.close();
  });

  test('a log that grew by samsa.recovery.checkpoint.bytes is checkpointed; recovery then scans only the rest', async () => {
    const fs = new MemoryFileSystem();
    const options = { indexIntervalBytes: 256 };
    const open = (files: MemoryFileSystem) =>
      LogManager.open({
        fs: files,
        logDir: '/data',
        scheduler: false,
        recoveryCheckpointBytes: 4096,
        optionsFor: () => options,
      });
    let manager = await open(fs);
    const readCheckpoint = async () =>
      new Map(
        (await new OffsetCheckpointFile(fs, '/data/recovery-point-offset-checkpoint').read()).map((entry) => [
          entry.partition,
          entry.offset,
        ]),
      );
    const hot = await manager.getOrCreateLog(orders0);
    const cold = await manager.getOrCreateLog(orders1);
    await cold.append(simpleBatch(1, 30));
    for (let i = 0; i < 20; i++) await hot.append(simpleBatch(1, 100)); // < 4 KiB
    await manager.checkpointGrownLogs();
    assert.equal((await readCheckpoint()).get(0) ?? 0, 0, 'below the threshold: not yet checkpointed');
    for (let i = 20; i < 60; i++) await hot.append(simpleBatch(1, 100));
    await manager.checkpointGrownLogs();
    assert.equal((await readCheckpoint()).get(0), 60);
    for (let i = 60; i < 70; i++) await hot.append(simpleBatch(1, 100));
    const crashed = fs.crash();
    await manager.close();

    manager = await open(crashed);
    const log = manager.getLog(orders0)!;
    assert.equal(log.logEndOffset, 70);
    // From the last index entry below 60 (every 2 batches), not all 70 batches of the segment.
    assert.ok(log.recoveryStats.batchesScanned <= 13, `scanned ${log.recoveryStats.batchesScanned}`);
    assert.equal(listBatches((await log.read(0, 1 << 20)).records).length, 70);
    assert.equal(manager.getLog(orders1)!.logEndOffset, 1);
    await manager.close();
  });

  test('deleteRecords is checkpointed; retention runs over every log; usage per partition', async () => {
    const fs = new MemoryFileSystem();
    const options = { segmentBytes: 500, retentionBytes: 1000, retentionMs: -1 };
    let manager = await LogManager.open({ fs, logDir: '/data', scheduler: false, optionsFor: () => options });
    const a = await manager.getOrCreateLog(orders0);
    const b = await manager.getOrCreateLog(orders1);
    assert.equal(await manager.getOrCreateLog(orders0), a);
    for (let i = 0; i < 30; i++) {
      await a.append(simpleBatch(1, 60));
      await b.append(simpleBatch(1, 60));
    }
    assert.equal(await manager.deleteRecords(orders0, 7), 7);
    const startOffsets = await new OffsetCheckpointFile(fs, '/data/log-start-offset-checkpoint').read();
    assert.equal(startOffsets.find((entry) => entry.partition === 0)?.offset, 7);
    const usageBefore = manager.usage();
    assert.equal(usageBefore.partitions.length, 2);
    assert.ok((await manager.runRetention()) > 0);
    const usage = manager.usage();
    for (const partition of usage.partitions) assert.ok(partition.size <= 1500);
    assert.equal(usage.totalBytes, a.size + b.size);
    // Power loss right after DeleteRecords: the start offset survives.
    const crashed = fs.crash();
    await manager.close();
    manager = await LogManager.open({
      fs: crashed,
      logDir: '/data',
      scheduler: false,
      optionsFor: () => options,
    });
    assert.ok(manager.getLog(orders0)!.logStartOffset >= 7);
    await manager.deleteLog(orders1);
    assert.equal(manager.getLog(orders1), undefined);
    assert.deepEqual(
      await crashed.readdir('/data').then((names) => names.filter((n) => n.startsWith('orders'))),
      ['orders-0'],
    );
    await manager.close();
  });

  test('NodeFileSystem: a real directory round trip with clean and unclean restarts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'samsa-storage-'));
    try {
      const fs = new NodeFileSystem();
      const logDir = join(root, 'data');
      const options = { segmentBytes: 4000, indexIntervalBytes: 500 };
      let manager = await LogManager.open({ fs, logDir, scheduler: false, optionsFor: () => options });
      const log = await manager.getOrCreateLog(orders0);
      await Promise.all(Array.from({ length: 100 }, () => log.append(simpleBatch(2, 50))));
      assert.equal(log.logEndOffset, 200);
      assert.ok(log.segmentCount > 3);
      await manager.close();
      manager = await LogManager.open({ fs, logDir, scheduler: false, optionsFor: () => options });
      const reopened = manager.getLog(orders0)!;
      assert.equal(reopened.recoveryStats.batchesScanned, 0);
      let offset = 0;
      let batches = 0;
      while (offset < 200) {
        const { records } = await reopened.read(offset, 3000);
        const list = listBatches(records);
        assert.ok(list.every((batch) => batch.crcOk));
        batches += list.length;
        offset = list[list.length - 1]!.lastOffset + 1;
      }
      assert.equal(batches, 100);
      // Simulate a kill: no close, so no marker; recovery scans from the recovery point.
      await reopened.append(simpleBatch(1));
      const again = await LogManager.open({ fs, logDir, scheduler: false, optionsFor: () => options });
      assert.equal(again.cleanShutdownDetected, false);
      assert.equal(again.getLog(orders0)!.logEndOffset, 201);
      await again.close();
      await manager.close().catch(() => undefined);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
