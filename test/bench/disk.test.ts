import assert from 'node:assert/strict';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { diskWriteMeter, treeBytes, waitForQuietDisk } from '../../bench/lib/disk.js';

const dir = mkdtempSync(join(tmpdir(), 'samsa-disk-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('bench disk helpers', () => {
  test('treeBytes sums the blocks a tree occupies, not sparse sizes, and is 0 once it is gone', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    writeFileSync(join(tree, 'top.log'), Buffer.alloc(1024 * 1024, 1));
    writeFileSync(join(tree, 'a', 'b', 'two.log'), Buffer.alloc(200 * 1024, 2));
    // A preallocated index: 100 MiB long, nothing written.
    writeFileSync(join(tree, 'a', 'sparse.index'), '');
    truncateSync(join(tree, 'a', 'sparse.index'), 100 * 1024 * 1024);
    const written = 1024 * 1024 + 200 * 1024;
    const total = treeBytes(tree);
    assert.ok(total >= written, `${total} bytes counted, ${written} written`);
    // Directory blocks and rounding up to whole blocks only, not the sparse 100 MiB.
    assert.ok(total < written + 256 * 1024, `${total} bytes counted, ${written} written`);
    assert.ok(treeBytes(join(tree, 'top.log')) >= 1024 * 1024);
    rmSync(tree, { recursive: true });
    assert.equal(treeBytes(tree), 0);
  });

  test('waitForQuietDisk returns once writes ran without a stall for quietMs and removes its probe', async () => {
    const probeDir = join(dir, 'quiet');
    mkdirSync(probeDir);
    // Any write counts as quiet with a 10 s stall threshold, so this ends after quietMs.
    const result = await waitForQuietDisk(probeDir, { quietMs: 200, stallMs: 10_000, timeoutMs: 5000 });
    assert.equal(result.quiet, true);
    assert.equal(result.stalls, 0);
    assert.ok(result.waitedMs >= 200, `waited ${result.waitedMs} ms`);
    assert.ok(result.worstMs > 0);
    assert.deepEqual(readdirSync(probeDir), []);
  });

  test('waitForQuietDisk gives up after timeoutMs when every write counts as a stall', async () => {
    const probeDir = join(dir, 'stalling');
    mkdirSync(probeDir);
    const result = await waitForQuietDisk(probeDir, { quietMs: 1000, stallMs: 0, timeoutMs: 300 });
    assert.equal(result.quiet, false);
    assert.ok(result.stalls > 0);
    assert.ok(result.waitedMs >= 300, `waited ${result.waitedMs} ms`);
    assert.deepEqual(readdirSync(probeDir), []);
  });

  test('diskWriteMeter counts synced bytes on the disk of a directory, and nothing where there is no disk', {
    skip: process.platform !== 'linux' && 'block device counters are read from Linux sysfs',
  }, () => {
    // The checkout lies on a real disk, whatever the temporary directory is (tmpfs on some hosts).
    const onDisk = mkdtempSync(join(process.cwd(), '.disk-meter-test-'));
    try {
      const meter = diskWriteMeter(onDisk);
      const fd = openSync(join(onDisk, 'synced.bin'), 'w');
      const chunk = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 4; i++) writeSync(fd, chunk);
      fsyncSync(fd);
      closeSync(fd);
      const written = meter();
      assert.ok(written !== undefined, 'the checkout has a block device');
      assert.ok(written >= 4 * 1024 * 1024, `${written} bytes counted, 4 MiB synced`);
    } finally {
      rmSync(onDisk, { recursive: true, force: true });
    }
    assert.equal(diskWriteMeter('/proc')(), undefined);
    assert.equal(diskWriteMeter(join(dir, 'missing'))(), undefined);
  });
});
