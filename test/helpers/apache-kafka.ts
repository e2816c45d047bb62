/**
 * Apache Kafka on this machine, for tests that compare Samsa's behaviour or speed with the real
 * broker. Not used by `npm test`: a comparison test calls `startApacheKafka()` itself and should
 * skip when `apacheKafkaAvailable()` is false (no Java or Maven).
 *
 * It drives bench/kafka/start-kafka.sh and stop-kafka.sh, so the jars come from the same cache
 * (resolved from Maven Central on first use) and the node has the same configuration as the
 * benchmarks: one KRaft broker+controller on 127.0.0.1, `group.initial.rebalance.delay.ms=0`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BENCH_DIR = join(import.meta.dirname, '..', '..', 'bench', 'kafka');

export interface ApacheKafka {
  /** `127.0.0.1:port`, ready for a client's bootstrap list. */
  bootstrap: string;
  port: number;
  controllerPort: number;
  /** Holds server.properties, server.log and the data directory. */
  logDir: string;
  pid: number;
  /** From launching the scripts to the broker accepting connections (format included). */
  startSeconds: number;
  /** Controlled shutdown; removes logDir unless it was given by the caller. */
  stop(): Promise<void>;
}

export interface StartApacheKafkaOptions {
  /** Broker port; default: a free one. */
  port?: number;
  controllerPort?: number;
  /** Default: a fresh temporary directory, removed by stop(). */
  logDir?: string;
  /** Extra broker properties, e.g. `{ 'num.partitions': 3 }`. */
  config?: Readonly<Record<string, string | number | boolean>>;
  timeoutSeconds?: number;
}

/** True when `java` and `mvn` (or an already resolved jar cache) are there to run Kafka. */
export function apacheKafkaAvailable(): boolean {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  const mvn = spawnSync('mvn', ['-v'], { stdio: 'ignore' });
  return java.status === 0 && mvn.status === 0;
}

/** Resolves two distinct free ports on 127.0.0.1 by binding to port 0. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Formats and starts a one-node Apache Kafka, resolving once it serves requests. */
export async function startApacheKafka(options: StartApacheKafkaOptions = {}): Promise<ApacheKafka> {
  const [freeBroker, freeController] = await freePorts(2);
  const port = options.port ?? freeBroker!;
  const controllerPort = options.controllerPort ?? freeController!;
  const ownsLogDir = options.logDir === undefined;
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'samsa-apache-kafka-'));
  const args = ['--port', String(port), '--controller-port', String(controllerPort), '--log-dir', logDir];
  for (const [key, value] of Object.entries(options.config ?? {})) args.push('--override', `${key}=${value}`);

  const env = { ...process.env, KAFKA_START_TIMEOUT: String(options.timeoutSeconds ?? 90) };
  let stdout: string;
  try {
    ({ stdout } = await run(join(BENCH_DIR, 'start-kafka.sh'), args, { env, maxBuffer: 1 << 20 }));
  } catch (error) {
    if (ownsLogDir) rmSync(logDir, { recursive: true, force: true });
    throw new Error(`Apache Kafka did not start: ${(error as { stderr?: string }).stderr ?? error}`, {
      cause: error,
    });
  }
  const ready = /^ready bootstrap=(\S+) pid=(\d+) log-dir=\S+ seconds=([\d.]+)$/m.exec(stdout);
  if (!ready) throw new Error(`unexpected output from start-kafka.sh:\n${stdout}`);

  let stopping: Promise<void> | undefined;
  return {
    bootstrap: ready[1]!,
    port,
    controllerPort,
    logDir,
    pid: Number(ready[2]),
    startSeconds: Number(ready[3]),
    stop() {
      stopping ??= run(join(BENCH_DIR, 'stop-kafka.sh'), ownsLogDir ? [logDir, '--clean'] : [logDir]).then(
        () => undefined,
      );
      return stopping;
    },
  };
}
