/**
 * Apache Kafka as a reference in the same run (optional): one KRaft node started with
 * bench/kafka/start-kafka.sh (Kafka's own settings: page-cache durability, no fsync per ack),
 * driven by the same load generator as Samsa.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './lib/processes.js';

const run = promisify(execFile);
const SCRIPTS = join(ROOT, 'bench', 'kafka');

export interface ApacheKafka {
  host: string;
  port: number;
  pid: number;
  startSeconds: number;
  /** The broker's log.dirs: one directory per partition, `<topic>-<partition>`. */
  dataDir: string;
  stop(): Promise<void>;
}

export function apacheKafkaAvailable(): boolean {
  return existsSync(join(SCRIPTS, 'start-kafka.sh')) && existsSync('/usr/bin/java');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function startApacheKafka(logDir: string): Promise<ApacheKafka> {
  // The controller listens on port + 1: look for a pair that is free.
  let port = await freePort();
  for (let i = 0; i < 20 && !(await portFree(port + 1)); i++) port = await freePort();
  const { stdout } = await run(
    join(SCRIPTS, 'start-kafka.sh'),
    [
      ...['--port', String(port), '--log-dir', logDir],
      ...['--override', 'auto.create.topics.enable=true'],
      // A deleted topic's files go at once, not 60 s later in the middle of another row.
      ...['--override', 'log.segment.delete.delay.ms=0'],
    ],
    { timeout: 180_000 },
  );
  const match = /ready bootstrap=([^:\s]+):(\d+) pid=(\d+).*seconds=([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`start-kafka.sh did not report ready:\n${stdout}`);
  return {
    host: match[1]!,
    port: Number(match[2]),
    pid: Number(match[3]),
    startSeconds: Number(match[4]),
    dataDir: join(logDir, 'data'),
    async stop() {
      await run(join(SCRIPTS, 'stop-kafka.sh'), [logDir, '--clean'], { timeout: 60_000 });
    },
  };
}
