import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Journal, journalFileName, readJournal } from '../../src/storage/log/journal.js';
import type { PartitionLog } from '../../src/storage/log/partition-log.js';
import { LogManager, type LogManagerConfig } from '../../src/storage/log-manager.js';
import type { LogOptions } from '../../src/storage/log-options.js';
import { MemoryFileSystem } from '../../src/storage/memory-file-system.js';
import { NodeFileSystem } from '../../src/storage/node-file-system.js';
import { buildBatch, listBatches } from './helpers.js';

const journalOptions: Partial<LogOptions> = {
  durability: 'fsync',
  fsyncMethod: 'journal',
  segmentBytes: 4000,
};
const tp = (partition: number) => ({ topic: 'orders', partition });

function open(
  fs: MemoryFileSystem | NodeFileSystem,
  extra: Partial<LogManagerConfig> = {},
  logDir = '/data',
) {
  return LogManager.open({ fs, logDir, scheduler: false, optionsFor: () => journalOptions, ...extra });
}

/** A batch whose record values name the partition and the append, so content can be compared. */
function batchFor(partition: number, n: number, count = 2): Buffer {
  return buildBatch(
    Array.from({ length: count }, (_, i) => ({ value: `p${partition}-a${n}-r${i}-${'x'.repeat(40)}` })),
  );
}

/** Every batch of the log, from its start, as the bytes the CRC covers (what the producer sent). */
async function contentOf(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1 << 20);
    let position = 0;
    for (const batch of listBatches(records)) {
      assert.ok(batch.crcOk, `CRC of the batch at ${batch.baseOffset}`);
      out.push(records.subarray(position + 21, position + batch.size).toString('hex'));
      position += batch.size;
      offset = batch.lastOffset + 1;
    }
  }
  return out;
}

const expected = (partition: number, appends: number) =>
  Array.from({ length: appends }, (_, n) => batchFor(partition, n).subarray(21).toString('hex'));

describe('shared journal (samsa.fsync.method=journal)', () => {
  test('appends of many partitions share synced writes; after a power loss every acknowledged append is back', async () => {
    for (const tornTail of [false, true]) {
      const fs = new MemoryFileSystem();
      const manager = await open(fs);
      const logs = await Promise.all([0, 1, 2, 3, 4].map((p) => manager.getOrCreateLog(tp(p))));
      const before = fs.stats.syncedWrites;
      for (let round = 0; round < 20; round++) {
        await Promise.all(logs.map((log, p) => log.append(batchFor(p, round))));
      }
      // 100 appends over 5 partitions: one journal write per round at most, no segment sync.
      assert.ok(fs.stats.syncedWrites - before <= 20, `synced writes: ${fs.stats.syncedWrites - before}`);
      assert.equal(manager.journal.stats.entries, 100);
      assert.ok(
        logs.every((log) => log.recoveryPoint === 0),
        'segments not synced yet',
      );
      const crashed = fs.crash({ tornTail, random: () => 0.5 });
      const recovered = await open(crashed);
      for (let p = 0; p < 5; p++) {
        assert.deepEqual(await contentOf(recovered.getLog(tp(p))!), expected(p, 20), `partition ${p}`);
      }
      assert.equal(recovered.journalRecovery.entries, 100);
      assert.ok(recovered.journalRecovery.applied > 0);
      assert.deepEqual(await crashed.readdir('/data/samsa-journal'), [], 'replayed files are deleted');
      // The recovered logs take new appends, and a second crash loses nothing either.
      await recovered.getLog(tp(0))!.append(batchFor(0, 20));
      const again = await open(crashed.crash());
      assert.deepEqual(await contentOf(again.getLog(tp(0))!), expected(0, 21));
      await again.close();
      await recovered.close();
      await manager.close();
    }
  });

  test('a checkpoint syncs the segments and deletes the old files; recovery then replays only the rest', async () => {
    const fs = new MemoryFileSystem();
    const manager = await open(fs, { journalCheckpointBytes: 2000 });
    const logs = await Promise.all([0, 1].map((p) => manager.getOrCreateLog(tp(p))));
    for (let n = 0; n < 30; n++) await Promise.all(logs.map((log, p) => log.append(batchFor(p, n))));
    await manager.journal.checkpoint();
    assert.ok(manager.journal.stats.checkpoints >= 2, `checkpoints: ${manager.journal.stats.checkpoints}`);
    assert.equal((await fs.readdir('/data/samsa-journal')).length, 1, 'only the current file is left');
    assert.ok(
      logs.every((log) => log.recoveryPoint === 60),
      'segments synced by the checkpoint',
    );
    for (let n = 30; n < 33; n++) await Promise.all(logs.map((log, p) => log.append(batchFor(p, n))));
    const crashed = fs.crash();
    const recovered = await open(crashed);
    assert.equal(recovered.journalRecovery.entries, 6);
    for (const p of [0, 1]) assert.deepEqual(await contentOf(recovered.getLog(tp(p))!), expected(p, 33));
    await recovered.close();
    await manager.close();
  });

  test('clean shutdown leaves no journal; the next start scans and replays nothing', async () => {
    const fs = new MemoryFileSystem();
    let manager = await open(fs);
    const log = await manager.getOrCreateLog(tp(0));
    for (let n = 0; n < 10; n++) await log.append(batchFor(0, n));
    await manager.close();
    assert.deepEqual(await fs.readdir('/data/samsa-journal'), []);
    manager = await open(fs);
    assert.equal(manager.cleanShutdownDetected, true);
    assert.equal(manager.journalRecovery.files, 0);
    assert.equal(manager.getLog(tp(0))!.recoveryStats.batchesScanned, 0);
    assert.deepEqual(await contentOf(manager.getLog(tp(0))!), expected(0, 10));
    await manager.close();
  });

  test('a truncated log does not get its cut batches back from the journal', async () => {
    const fs = new MemoryFileSystem();
    const manager = await open(fs);
    const log = await manager.getOrCreateLog(tp(0));
    for (let n = 0; n < 10; n++) await log.append(batchFor(0, n));
    await log.truncateTo(10); // appends 5..9 (offsets 10-19) go
    const fresh = (n: number) => buildBatch([{ value: `after-truncation-${n}` }, { value: 'second' }]);
    for (let n = 0; n < 3; n++) await log.append(fresh(n));
    const recovered = await open(fs.crash());
    const content = await contentOf(recovered.getLog(tp(0))!);
    assert.deepEqual(content, [
      ...expected(0, 5),
      ...[0, 1, 2].map((n) => fresh(n).subarray(21).toString('hex')),
    ]);
    await recovered.close();
    await manager.close();
  });

  test('a partition deleted and created again does not get the old one`s entries', async () => {
    const fs = new MemoryFileSystem();
    const manager = await open(fs);
    const old = await manager.getOrCreateLog(tp(0));
    for (let n = 0; n < 8; n++) await old.append(batchFor(9, n));
    await manager.deleteLog(tp(0));
    const again = await manager.getOrCreateLog(tp(0));
    for (let n = 0; n < 3; n++) await again.append(batchFor(0, n));
    const recovered = await open(fs.crash());
    assert.deepEqual(await contentOf(recovered.getLog(tp(0))!), expected(0, 3));
    await recovered.close();
    await manager.close();
  });

  test('a failed journal write fails its appends and takes their logs offline; nothing acknowledged is lost', async () => {
    const fs = new MemoryFileSystem();
    const manager = await open(fs);
    const logs = await Promise.all([0, 1].map((p) => manager.getOrCreateLog(tp(p))));
    for (let n = 0; n < 4; n++) await Promise.all(logs.map((log, p) => log.append(batchFor(p, n))));
    fs.failWrite(1, { filter: (path) => path.includes('samsa-journal'), keepBytes: 30 });
    const outcomes = await Promise.allSettled(logs.map((log, p) => log.append(batchFor(p, 4))));
    assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
    assert.ok(logs.every((log) => log.isOffline));
    await assert.rejects(logs[0]!.append(batchFor(0, 5)), /offline/);
    const recovered = await open(fs.crash());
    for (const p of [0, 1]) {
      const content = await contentOf(recovered.getLog(tp(p))!);
      // The four acknowledged appends are there; the failed one may or may not be (never acknowledged).
      assert.deepEqual(content.slice(0, 4), expected(p, 4));
      assert.ok(content.length <= 5);
    }
    assert.equal(recovered.journalRecovery.tornFiles, 1, 'the torn entry ends the file');
    await recovered.close();
    await manager.close().catch(() => undefined);
  });

  test('readJournal stops a file at a torn or corrupt entry', async () => {
    const fs = new MemoryFileSystem();
    const journal = new Journal({ fs, dir: '/j', flush: async () => undefined });
    const target = { flush: async () => undefined };
    await journal.append(target, 'a-0', [batchFor(0, 0)]);
    await journal.append(target, 'b-1', [batchFor(1, 0), batchFor(1, 1)]);
    const path = `/j/${journalFileName(0)}`;
    const handle = await fs.open(path, 'r+');
    await handle.write(Buffer.from([0, 0, 1, 0, 9, 9, 9, 9, 0]), await handle.size());
    await handle.close();
    let contents = await readJournal(fs, '/j');
    assert.deepEqual(
      contents.entries.map((entry) => [entry.key, listBatches(entry.records).length]),
      [
        ['a-0', 1],
        ['b-1', 2],
      ],
    );
    assert.deepEqual(contents.tornFiles, [path]);
    // A flipped byte inside the second entry ends the file after the first.
    const data = await fs.readFile(path);
    data[data.length - 40] ^= 0xff;
    await fs.writeFile(path, data);
    contents = await readJournal(fs, '/j');
    assert.equal(contents.entries.length, 1);
    await journal.close();
  });

  test('NodeFileSystem: a killed broker`s journal is replayed from a real directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'samsa-journal-'));
    try {
      const fs = new NodeFileSystem();
      const logDir = join(root, 'data');
      const manager = await open(fs, {}, logDir);
      const logs = await Promise.all([0, 1, 2].map((p) => manager.getOrCreateLog(tp(p))));
      for (let n = 0; n < 40; n++) await Promise.all(logs.map((log, p) => log.append(batchFor(p, n))));
      assert.ok(manager.journal.stats.writes < 120, `journal writes: ${manager.journal.stats.writes}`);
      // No close: as after SIGKILL (the page cache keeps the segments, so most entries are present).
      const again = await open(fs, {}, logDir);
      assert.equal(again.journalRecovery.entries, 120);
      for (const p of [0, 1, 2]) assert.deepEqual(await contentOf(again.getLog(tp(p))!), expected(p, 40));
      await again.close();
      await manager.close().catch(() => undefined);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
