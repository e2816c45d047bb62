/**
 * kcat (librdkafka) as a second, independent load generator: `kcat -P -l file` produces one
 * record per line of a prepared file, `kcat -C -e -o beginning` reads the topic back to its end.
 * Both are timed as whole processes (start-up and metadata included, a few ms).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTimed, type Timed } from './lib/processes.js';

export const KCAT = '/usr/bin/kcat';

export function kcatAvailable(): boolean {
  return existsSync(KCAT);
}

/** A file of `count` lines of exactly `recordSize` printable bytes (the newline is not sent). */
export function writeLinesFile(dir: string, count: number, recordSize: number): string {
  const path = join(dir, `kcat-${recordSize}x${count}.txt`);
  if (existsSync(path)) return path;
  const line = recordSize + 1;
  const buffer = Buffer.alloc(count * line, 0x78);
  for (let i = 0; i < count; i++) {
    buffer.write(i.toString(36).padStart(8, '0'), i * line, 'latin1');
    buffer[i * line + recordSize] = 0x0a;
  }
  writeFileSync(path, buffer);
  return path;
}

const COMMON = ['-X', 'broker.address.family=v4', '-X', 'api.version.request=true'];

export function kcatProduce(bootstrap: string, topic: string, file: string, acks: number): Promise<Timed> {
  return runTimed(KCAT, [
    '-P',
    '-b',
    bootstrap,
    '-t',
    topic,
    '-l',
    file,
    ...COMMON,
    '-X',
    `acks=${acks === -1 ? 'all' : String(acks)}`,
    '-X',
    'linger.ms=5',
    '-X',
    'queue.buffering.max.messages=1000000',
  ]);
}

/** Reads the whole topic; stdout carries one byte per record, so `stdoutBytes` is the count. */
export function kcatConsume(bootstrap: string, topic: string): Promise<Timed> {
  return runTimed(
    KCAT,
    ['-C', '-b', bootstrap, '-t', topic, '-e', '-o', 'beginning', '-q', '-f', '.', ...COMMON],
    {
      timeoutMs: 120_000,
    },
  );
}
