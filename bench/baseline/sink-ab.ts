/**
 * The raw baseline sink in several modes, alternating, with the benchmark's own generator and
 * settings (4 connections × 8 Produce requests in flight, 500 × 100 B or 64 × 1 KiB records per
 * request, spread round-robin over the files as over partitions): what the synced write method
 * alone does to throughput on this disk, with no broker in the way.
 *
 *   node --import tsx bench/baseline/sink-ab.ts [--modes fdatasync,dsync] [--files 6]
 *     [--size 100|1024] [--reps 3] [--seconds 5]
 *
 * Prints one line per run: mode, files, records/s and the acknowledgement p50 / p99.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONNECTIONS, IN_FLIGHT, produceLoad, RECORDS_PER_BATCH } from '../lib/load.js';
import { spawnSink } from '../lib/processes.js';

const MODES = ['null', 'write', 'fdatasync', 'dsync'];

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'fdatasync,dsync' },
    files: { type: 'string', default: '6' },
    size: { type: 'string', default: '100' },
    reps: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
  },
});
const modes = values.modes.split(',');
const files = Number(values.files);
const size = Number(values.size);
const reps = Number(values.reps);
const recordsPerBatch = RECORDS_PER_BATCH[size];
if (modes.some((mode) => !MODES.includes(mode))) throw new Error(`--modes takes ${MODES.join(', ')}`);
if (!Number.isInteger(files) || files < 1) throw new Error('--files must be a positive integer');
if (recordsPerBatch === undefined) throw new Error('--size must be 100 or 1024');
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');

for (let rep = 1; rep <= reps; rep++) {
  for (const mode of modes) {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-sink-ab-'));
    const sink = await spawnSink(['receive', mode, join(dir, 'sink.bin'), String(files)]);
    try {
      const result = await produceLoad({
        host: sink.host,
        port: sink.port,
        topic: 'bench',
        recordSize: size,
        recordsPerBatch,
        acks: 1,
        connections: CONNECTIONS,
        inFlight: IN_FLIGHT,
        durationMs: Number(values.seconds) * 1000,
        raw: true,
        partitions: files,
      });
      const rate = (result.records / result.elapsedMs) * 1000;
      const { p50, p99 } = result.latencyMs;
      console.log(
        `rep ${rep} ${mode} ${files} file(s) ${size} B: ${Math.round(rate)} records/s, ack p50 ${p50.toFixed(1)} / p99 ${p99.toFixed(1)} ms`,
      );
    } finally {
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
