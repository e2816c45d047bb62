/**
 * What this disk allows for synced writes, with no network and no Kafka logic: how fast O_DSYNC
 * writes go when they append to a file (each one also grows it, so the file system must commit
 * the new size and blocks in its journal) against when they overwrite blocks that were written
 * and synced before (only the data has to reach the disk), and what keeping such blocks ahead of
 * the writes costs when it runs at the same time.
 *
 *   node --import tsx bench/baseline/sync-probe.ts [--dir DIR] [--mib N] [--sizes 65536,1048576] [--json]
 *
 * For each write size, three runs write N MiB (512) into a new file under DIR (the OS's temporary
 * directory), which is deleted afterwards:
 *   append      each write extends the file;
 *   overwrite   the file was filled with zeros and fdatasynced first (that time is reported apart);
 *   zero-ahead  a worker thread keeps up to 64 MiB of synced zeros ahead of the writer, in 4 MiB
 *               writes each followed by fdatasync, while the writer overwrites them; the writer
 *               waits when it catches up, so its rate includes the cost of the zeros.
 * Prints a Markdown table of MB/s (10^6 bytes per second), or with --json the rows as JSON (what
 * `npm run bench` runs for its disk section).
 */
import { closeSync, constants, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const ZERO_CHUNK = 4 << 20;
const ZERO_AHEAD = 64 << 20;

export interface ProbeRow {
  writeBytes: number;
  appendMBps: number;
  overwriteMBps: number;
  /** Filling the file with synced zeros before the overwrite run. */
  zeroFillMBps: number;
  zeroAheadMBps: number;
}

/** The zero-writer thread: plain JavaScript, so that it needs no loader. */
const ZEROER = `
const { workerData } = require('node:worker_threads');
const { openSync, writeSync, fdatasyncSync, closeSync } = require('node:fs');
const { path, total, chunk, ahead, shared } = workerData;
const progress = new BigInt64Array(shared); // [0] zeroed and synced up to, [1] writer's position
const fd = openSync(path, 'r+');
const zeros = Buffer.alloc(chunk);
for (let at = 0; at < total; at += chunk) {
  while (at >= Number(Atomics.load(progress, 1)) + ahead) Atomics.wait(progress, 1, Atomics.load(progress, 1), 50);
  writeSync(fd, zeros, 0, Math.min(chunk, total - at), at);
  fdatasyncSync(fd);
  Atomics.store(progress, 0, BigInt(Math.min(at + chunk, total)));
  Atomics.notify(progress, 0);
}
closeSync(fd);
`;

function openSynced(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_DSYNC);
}

/** Writes `total` bytes in `size` writes at increasing positions; returns MB/s. */
function timedWrites(fd: number, size: number, total: number, before?: (end: number) => void): number {
  const data = Buffer.alloc(size, 'x');
  const started = performance.now();
  for (let at = 0; at < total; at += size) {
    const length = Math.min(size, total - at);
    before?.(at + length);
    writeSync(fd, data, 0, length, at);
  }
  return total / 1000 / (performance.now() - started);
}

function fillWithZeros(path: string, total: number): number {
  const fd = openSync(path, 'w');
  const zeros = Buffer.alloc(ZERO_CHUNK);
  const started = performance.now();
  for (let at = 0; at < total; at += ZERO_CHUNK)
    writeSync(fd, zeros, 0, Math.min(ZERO_CHUNK, total - at), at);
  fdatasyncSync(fd);
  const elapsed = performance.now() - started;
  closeSync(fd);
  return total / 1000 / elapsed;
}

async function zeroAhead(path: string, size: number, total: number): Promise<number> {
  closeSync(openSync(path, 'w'));
  const shared = new SharedArrayBuffer(16);
  const progress = new BigInt64Array(shared);
  const worker = new Worker(ZEROER, {
    eval: true,
    workerData: { path, total, chunk: ZERO_CHUNK, ahead: ZERO_AHEAD, shared },
  });
  const exited = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`zero writer exited ${code}`))));
  });
  const fd = openSynced(path);
  let rate: number;
  try {
    rate = timedWrites(fd, size, total, (end) => {
      while (Number(Atomics.load(progress, 0)) < end)
        Atomics.wait(progress, 0, Atomics.load(progress, 0), 50);
      Atomics.store(progress, 1, BigInt(end));
      Atomics.notify(progress, 1);
    });
  } finally {
    closeSync(fd);
  }
  await exited;
  return rate;
}

async function probe(dir: string, sizes: readonly number[], mib: number): Promise<ProbeRow[]> {
  const total = mib << 20;
  const path = join(dir, `samsa-sync-probe-${process.pid}.bin`);
  const rows: ProbeRow[] = [];
  try {
    for (const size of sizes) {
      closeSync(openSync(path, 'w'));
      let fd = openSynced(path);
      const appendMBps = timedWrites(fd, size, total);
      closeSync(fd);
      const zeroFillMBps = fillWithZeros(path, total);
      fd = openSynced(path);
      const overwriteMBps = timedWrites(fd, size, total);
      closeSync(fd);
      const zeroAheadMBps = await zeroAhead(path, size, total);
      rows.push({ writeBytes: size, appendMBps, overwriteMBps, zeroFillMBps, zeroAheadMBps });
    }
  } finally {
    rmSync(path, { force: true });
  }
  return rows;
}

function probeTable(rows: readonly ProbeRow[]): string {
  const lines = [
    '| write size | append | overwrite of synced zeros | zero fill beforehand | overwrite incl. the fill | zero-ahead |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const withFill = 1 / (1 / row.overwriteMBps + 1 / row.zeroFillMBps);
    const cells = [row.appendMBps, row.overwriteMBps, row.zeroFillMBps, withFill, row.zeroAheadMBps];
    lines.push(
      `| ${row.writeBytes / 1024} KiB | ${cells.map((value) => `${value.toFixed(0)} MB/s`).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: tmpdir() },
      mib: { type: 'string', default: '512' },
      sizes: { type: 'string', default: '65536,262144,1048576' },
      json: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const mib = Number(values.mib);
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0) || !(mib > 0)) {
    throw new Error('--sizes takes positive byte counts, --mib a positive number');
  }
  const rows = await probe(values.dir, sizes, mib);
  console.log(values.json ? JSON.stringify(rows) : probeTable(rows));
}

await main();
