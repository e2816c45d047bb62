import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeFileSystem } from '../../src/storage/node-file-system.js';

const O_DSYNC = 0o10000;

/** The open flags of this process's descriptors on `path`, from /proc (Linux). */
async function openFlags(path: string): Promise<number[]> {
  const flags: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== path) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    flags.push(Number.parseInt(/flags:\s*([0-7]+)/.exec(info)![1]!, 8));
  }
  return flags;
}

describe('NodeFileSystem', () => {
  test('syncWrites opens with O_DSYNC and keeps each mode: w+ truncates, r+ keeps, a+ appends', async () => {
    const root = await mkdtemp(join(tmpdir(), 'samsa-fs-'));
    try {
      const fs = new NodeFileSystem();
      const path = join(root, 'file');
      await fs.writeFile(path, Buffer.from('old content'));

      const created = await fs.open(path, 'w+', { syncWrites: true });
      assert.deepEqual(
        (await openFlags(path)).map((flags) => flags & O_DSYNC),
        [O_DSYNC],
      );
      assert.equal(await created.size(), 0, 'w+ truncated');
      await created.write(Buffer.from('abc'), 0);
      await created.writev([Buffer.from('def'), Buffer.from('gh')], 3);
      await created.close();

      const plain = await fs.open(path, 'r+');
      assert.deepEqual(
        (await openFlags(path)).map((flags) => flags & O_DSYNC),
        [0],
      );
      await plain.close();

      const existing = await fs.open(path, 'r+', { syncWrites: true });
      assert.equal(await existing.size(), 8, 'r+ kept the content');
      await existing.write(Buffer.from('X'), 1);
      await existing.close();

      const appending = await fs.open(path, 'a+', { syncWrites: true });
      await appending.write(Buffer.from('!'), 0);
      await appending.close();
      assert.equal((await fs.readFile(path)).toString(), 'aXcdefgh!');

      await assert.rejects(fs.open(join(root, 'missing'), 'r+', { syncWrites: true }), { code: 'ENOENT' });

      // Without O_DSYNC (as on Windows) a syncWrites handle syncs after each write instead.
      const fallback = await new NodeFileSystem({ dsync: false }).open(path, 'r+', { syncWrites: true });
      assert.deepEqual(
        (await openFlags(path)).map((flags) => flags & O_DSYNC),
        [0],
      );
      const probe = await open(path, 'r');
      const handlePrototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const datasync = handlePrototype.datasync;
      let syncs = 0;
      handlePrototype.datasync = function (this: unknown) {
        syncs++;
        return datasync.call(this);
      };
      try {
        await fallback.writev([Buffer.from('1'), Buffer.from('2')], 0);
        assert.equal(syncs, 1, 'writev synced');
        await fallback.write(Buffer.from('3'), 2);
        assert.equal(syncs, 2, 'write synced');
      } finally {
        handlePrototype.datasync = datasync;
      }
      await fallback.close();
      assert.equal((await fs.readFile(path)).toString(), '123defgh!');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
