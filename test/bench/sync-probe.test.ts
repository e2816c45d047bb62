import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(import.meta.dirname, '..', '..', 'bench', 'baseline', 'sync-probe.ts');
const dir = mkdtempSync(join(tmpdir(), 'samsa-sync-probe-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('synced-write probe', () => {
  test('measures append, overwrite and zero-ahead for each write size and removes its file', async () => {
    const args = ['--import', 'tsx', script, '--dir', dir, '--mib', '6', '--sizes', '65536,1048576'];
    const { stdout } = await run(process.execPath, args);
    const rows = stdout
      .trim()
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .map((cell) => cell.trim())
          .filter((cell) => cell !== ''),
      );
    assert.deepEqual(
      rows.map((cells) => cells[0]),
      ['64 KiB', '1024 KiB'],
    );
    for (const cells of rows) {
      assert.equal(cells.length, 6);
      for (const cell of cells.slice(1)) {
        const match = /^(\d+) MB\/s$/.exec(cell);
        assert.ok(match, `not a rate: ${cell}`);
        assert.ok(Number(match[1]) > 0, `zero rate: ${cell}`);
      }
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test('with --json prints one row per write size, every rate a positive number', async () => {
    const args = ['--import', 'tsx', script, '--dir', dir, '--mib', '4', '--sizes', '262144', '--json'];
    const { stdout } = await run(process.execPath, args);
    const rows = JSON.parse(stdout) as Record<string, number>[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.writeBytes, 262144);
    for (const key of ['appendMBps', 'overwriteMBps', 'zeroFillMBps', 'zeroAheadMBps']) {
      assert.ok(rows[0]![key]! > 0, `${key}: ${rows[0]![key]}`);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test('refuses a write size that is not a positive byte count', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', script, '--dir', dir, '--sizes', '0']),
      (error: Error) =>
        /--sizes takes positive byte counts/.test(String((error as { stderr?: string }).stderr)),
    );
  });
});
