/**
 * `npm run bench`: Samsa's throughput and start-up figures next to a raw baseline and Apache Kafka
 * measured in the same run, printed as Markdown tables, written to bench/results/<timestamp>.json
 * and drawn as SVG charts into bench/results/<timestamp>/. `npm run bench -- --help` lists the
 * options.
 *
 * Each repetition runs every workload once (repetitions are the outer loop, so slow drifts of a
 * shared machine spread over all rows); each figure is the median of the repetitions with min-max.
 * Timings are printed, never asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ApacheKafka, apacheKafkaAvailable, startApacheKafka } from './apache-kafka.js';
import type { ProbeRow } from './baseline/sync-probe.js';
import { kcatAvailable, kcatConsume, kcatProduce, writeLinesFile } from './kcat.js';
import { resultsForCharts, writeCharts } from './lib/charts.js';
import { diskWriteMeter, treeBytes, waitForQuietDisk } from './lib/disk.js';
import {
  type Durability,
  kafkaConsumeId,
  kafkaProduceId,
  latencyId,
  MANY_PARTITIONS,
  PERF_WORKLOADS,
  type PerfWorkload,
  perfToolIds,
  type SamsaWorkload,
  SIZES,
  samsaIds,
} from './lib/ids.js';
import { createTopic, deleteTopic, waitWritable } from './lib/kafka.js';
import {
  CONNECTIONS,
  consumeLoad,
  IN_FLIGHT,
  type ProduceLoadResult,
  produceLoad,
  RECORDS_PER_BATCH,
} from './lib/load.js';
import { buildNativeConsumer, consumeNative, drainNative } from './lib/native-consumer.js';
import {
  consumerPerf,
  type ProducerPerfOptions,
  producerPerf,
  producerProperties,
} from './lib/perf-tools.js';
import {
  type BrokerSpawnOptions,
  type CpuFigures,
  cpuMeter,
  type Listening,
  ROOT,
  rssMiB,
  runForJson,
  spawnBroker,
  spawnSink,
  waitForConnect,
} from './lib/processes.js';
import { firstFetchAt, type LatencyResult, latencyRunInChild } from './lib/scenarios.js';
import { compact, fixed, markdownTable, range, type Summary, summarize } from './lib/stats.js';
import { checkTargets, renderTargets, resultsForTargets } from './lib/targets.js';
import { WireConnection } from './lib/wire.js';
import { summarizeProfile } from './profile-summary.js';

const USAGE = `usage: npm run bench -- [options]

  --reps N                 repetitions of every row (3); figures are median (min–max)
  --duration MS            length of each produce run of our generator (2000)
  --row-mib MIB            payload at which a produce run of our generator stops before its
                           duration (768); with a long --duration, a larger cap measures
                           sustained rates past the page cache's dirty limits (docs/benchmarks.md)
  --only REGEX             run only the rows whose id matches, e.g. 'samsa/produce/100B/fsync/p1/acks1',
                           'kafka/produce/100B/flush1/', '/perftool/', '^(samsa|kafka)/latency/'
  --skip-kafka             no Apache Kafka rows (its broker is not started)
  --skip-kafka-flush       no Apache Kafka flush.messages=1 rows (matched durability)
  --skip-perf-test         no kafka-producer-perf-test / kafka-consumer-perf-test rows
  --consume-records N      records of the topic each consume row reads from its start (10000000):
                           the produce row's topic is filled up to it, unmeasured, before the read
  --perf-mib MIB           payload per kafka-producer-perf-test run (100); the first 20 % of its
                           records are its warm-up and left out of the figures
  --skip-kcat              no kcat rows
  --skip-startup           no start-up figures
  --disk-mib MIB           MiB per write size of the disk section (256): synced appends against
                           synced overwrites, bench/baseline/sync-probe.ts, once per repetition;
                           like a row, it runs when --only is absent or matches 'baseline/disk'
  --latency-ms MS          measured part of each end-to-end latency run (10000)
  --latency-warmup MS      warm-up before it (2000)
  --recovery-sizes LIST    MiB of log for the restart-after-SIGKILL rows (1,200,1024)
  --recovery-checkpointed  add the rows killed 65 s after the writes
  --charts-dir DIR         also write the SVG charts into DIR (e.g. docs/bench); they always go
                           to bench/results/<timestamp>/ next to the JSON
  --profile ROW            one samsa/produce/... row under --cpu-prof, with a profile summary
  --samsa-set KEY=VALUE    a broker setting for every Samsa started (repeatable), e.g.
                           'samsa.fsync.method=fdatasync' for an A/B run
  --samsa-node-arg=OPTION  a Node/V8 option for every Samsa started, after the defaults of
                           spawnBroker (repeatable; write it with '=', as the value starts with
                           a dash), e.g. --samsa-node-arg=--initial-old-space-size=0 for an A/B
                           run without the broker's heap floor
  --keep-idle-running      leave the brokers a row does not use running during it (by default they
                           are stopped with SIGSTOP and continued after it, see settled)
  --js-consumer            read the consume rows with the JavaScript reader (bench/lib/load.ts)
                           instead of bench/consumer/fetch-count.c, which needs a C compiler
  --no-build               do not rebuild dist/ first
  -h, --help               this text

Charts of a saved run: node --import tsx bench/charts.ts bench/results/<timestamp>.json [--out DIR]
Targets of a saved run: node --import tsx bench/targets.ts bench/results/<timestamp>.json
`;

function parseFlags() {
  try {
    return parseArgs({
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        reps: { type: 'string', default: '3' },
        duration: { type: 'string', default: '2000' },
        'row-mib': { type: 'string', default: '768' },
        only: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        'skip-kcat': { type: 'boolean', default: false },
        'skip-kafka': { type: 'boolean', default: false },
        'skip-startup': { type: 'boolean', default: false },
        'disk-mib': { type: 'string', default: '256' },
        profile: { type: 'string' },
        'latency-ms': { type: 'string', default: '10000' },
        'latency-warmup': { type: 'string', default: '2000' },
        'recovery-sizes': { type: 'string', default: '1,200,1024' },
        'recovery-checkpointed': { type: 'boolean', default: false },
        'skip-kafka-flush': { type: 'boolean', default: false },
        'skip-perf-test': { type: 'boolean', default: false },
        'perf-mib': { type: 'string', default: '100' },
        'consume-records': { type: 'string', default: '10000000' },
        'charts-dir': { type: 'string' },
        'samsa-set': { type: 'string', multiple: true, default: [] },
        'samsa-node-arg': { type: 'string', multiple: true, default: [] },
        'js-consumer': { type: 'boolean', default: false },
        'keep-idle-running': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const flags = parseFlags();

if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
for (const name of [
  'reps',
  'duration',
  'row-mib',
  'latency-ms',
  'latency-warmup',
  'perf-mib',
  'disk-mib',
] as const) {
  if (!(Number(flags[name]) > 0)) {
    process.stderr.write(`--${name} takes a positive number, not ${JSON.stringify(flags[name])}\n\n${USAGE}`);
    process.exit(2);
  }
}

const SAMSA_SETTINGS: Record<string, string> = {};
for (const setting of flags['samsa-set']) {
  const equals = setting.indexOf('=');
  if (equals <= 0) {
    process.stderr.write(`--samsa-set takes KEY=VALUE, not ${JSON.stringify(setting)}\n\n${USAGE}`);
    process.exit(2);
  }
  const name = setting.slice(0, equals);
  if (name === 'samsa.durability' || name === 'num.partitions') {
    process.stderr.write(`--samsa-set ${name}: each row sets it and names it in its label\n\n${USAGE}`);
    process.exit(2);
  }
  SAMSA_SETTINGS[name] = setting.slice(equals + 1);
}

/** Node options from --samsa-node-arg; node takes the last of repeated V8 flags. */
const SAMSA_NODE_ARGS: readonly string[] = flags['samsa-node-arg'];

/** spawnBroker with the --samsa-set settings over the row's own, and the --samsa-node-arg options. */
function spawnSamsa(options: BrokerSpawnOptions): Promise<Listening> {
  return spawnBroker({
    ...options,
    settings: { ...options.settings, ...SAMSA_SETTINGS },
    nodeArgs: [...(options.nodeArgs ?? []), ...SAMSA_NODE_ARGS],
  });
}

const REPS = Number(flags.reps);
const DURATION_MS = Number(flags.duration);
/** Payload at which a produce run stops before DURATION_MS. */
const MAX_PAYLOAD = Number(flags['row-mib']) * 1024 * 1024;
/** Records of every consume row's topic (the produce row's topic, filled up to it). */
const CONSUME_RECORDS = Number(flags['consume-records']);
/** Longest the unmeasured fill of a consume row's topic may take. */
const FILL_TIMEOUT_MS = 180_000;
const KCAT_RECORDS: Record<number, number> = { 100: 1_000_000, 1024: 200_000 };
/** Partition counts of the Samsa rows; the last one is produced to round-robin like the others. */
const SAMSA_PARTITIONS = [1, 6, MANY_PARTITIONS] as const;
const MiB = 1024 * 1024;
const LATENCY_RATES = [10_000, 50_000] as const;
const LATENCY_MS = Number(flags['latency-ms']);
const LATENCY_WARMUP_MS = Number(flags['latency-warmup']);
const RECOVERY_SIZES_MIB = flags['recovery-sizes'].split(',').map(Number);
const PRODUCERS = 100;
const PRODUCERS_BATCH = 10;
/** Topic config of the matched-durability Kafka rows: fsync after every append. */
const KAFKA_FLUSH_CONFIG = { 'flush.messages': '1' } as const;
const PERF_MIB = Number(flags['perf-mib']);
const PERF_WARMUP_SHARE = 0.2;
const PERF_LINGER_MS = 5;
const PERF_BATCH_SIZE = 65_536;

const JS_CONSUMER = flags['js-consumer'];

interface TopicRead {
  records: number;
  payloadBytes: number;
  fetches: number;
  elapsedMs: number;
  complete: boolean;
  serverCpu: number;
  generatorCpu: number;
  restCpu: number;
  reader: string;
}

/** A Sample's CPU fields from a cpuMeter reading. */
function cpuSample(cpu: CpuFigures): Required<Pick<Sample, 'serverCpu' | 'generatorCpu' | 'restCpu'>> {
  return { serverCpu: cpu.server, generatorCpu: cpu.generator, restCpu: cpu.rest };
}

/**
 * CPU of `pid`, of the generator and of the rest from now, and the bytes written to the disk of
 * the data directories, as a share of the `payloadBytes` the run sent: how much of it the server
 * wrote out while the run ran (the rows of page-cache brokers may leave it dirty in memory).
 */
function produceMeter(
  pid: number,
): (payloadBytes: number) => Pick<Sample, 'serverCpu' | 'generatorCpu' | 'restCpu' | 'diskShare'> {
  const cpu = cpuMeter(pid);
  const disk = diskWriteMeter(scratch);
  return (payloadBytes) => {
    const figures = cpuSample(cpu());
    const written = disk();
    return written === undefined || payloadBytes === 0
      ? figures
      : { ...figures, diskShare: written / payloadBytes };
  };
}

function consumeSample(read: TopicRead): Sample {
  return {
    recordsPerSec: (read.records / read.elapsedMs) * 1000,
    mibPerSec: (read.payloadBytes / MiB / read.elapsedMs) * 1000,
    serverCpu: read.serverCpu,
    generatorCpu: read.generatorCpu,
    restCpu: read.restCpu,
    note: `${compact(read.records)} records, ${read.reader}, ${read.fetches} fetches`,
  };
}

/**
 * A consume row's read of `topic` from offset 0 on one connection (fetch-count.c, or consumeLoad
 * with --js-consumer), with the broker's CPU (process `serverPid`) and the reader's over the read.
 */
async function readTopic(
  host: string,
  port: number,
  serverPid: number,
  topic: string,
  expected: readonly number[],
  recordSize: number,
): Promise<TopicRead> {
  if (JS_CONSUMER) {
    const meter = cpuMeter(serverPid);
    const read = await consumeLoad({ host, port, topic, expected, connections: 1, recordSize });
    const cpu = meter();
    return {
      ...read,
      ...cpuSample(cpu),
      reader: `JS reader, Fetch v${read.fetchVersion}`,
    };
  }
  // Compiled on the first consume row (so that produce-only runs need no C compiler), before the
  // broker's CPU is metered.
  buildNativeConsumer();
  const meter = cpuMeter(serverPid);
  const read = await consumeNative({ host, port, topic, expected, recordSize });
  const cpu = meter();
  return {
    ...read,
    serverCpu: cpu.server,
    generatorCpu: read.cpuPercent,
    restCpu: Math.max(0, cpu.rest + cpu.generator - read.cpuPercent),
    reader: 'fetch-count.c, Fetch v12',
  };
}

interface Sample {
  recordsPerSec: number;
  mibPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  peakRssMiB?: number;
  /** CPU of the server process, of the load generator and of the rest of the machine, 100 = one core. */
  serverCpu?: number;
  generatorCpu?: number;
  restCpu?: number;
  /** Bytes written to the disk of the data directories while a produce run ran, over its payload. */
  diskShare?: number;
  note?: string;
}

interface Row {
  id: string;
  label: string;
  /** Row id of the baseline this row is compared with. */
  baseline?: string;
  /** Row id of the same workload against Apache Kafka. */
  peer?: string;
  /** Row id of the same workload against Apache Kafka with flush.messages=1 (matched durability). */
  fsyncPeer?: string;
  samples: Sample[];
  errors: string[];
}

/** The entries of `fields` that are set, to spread into a row whose fields are optional. */
function presentFields<K extends string>(fields: Record<K, string | undefined>): Partial<Record<K, string>> {
  const present: Partial<Record<K, string>> = {};
  for (const key of Object.keys(fields) as K[]) {
    const value = fields[key];
    if (value !== undefined) present[key] = value;
  }
  return present;
}

const rows = new Map<string, Row>();
const only = flags.only !== undefined ? new RegExp(flags.only) : undefined;

function row(id: string, label: string, baseline?: string, peer?: string, fsyncPeer?: string): Row {
  let found = rows.get(id);
  if (!found) {
    found = {
      id,
      label,
      samples: [],
      errors: [],
      ...presentFields({ baseline, peer, fsyncPeer }),
    };
    rows.set(id, found);
  }
  return found;
}

function wanted(id: string): boolean {
  return only === undefined || only.test(id);
}

const scratch = mkdtempSync(join(tmpdir(), 'samsa-bench-'));

function freshDir(name: string): string {
  const dir = join(scratch, `${name}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Bytes deleted since the last row waited for a quiet disk (see settled). */
let deletedBytes = 0;

/** Deletes a directory tree of the run and counts its bytes towards deletedBytes. */
function removeTree(dir: string): void {
  deletedBytes += treeBytes(dir);
  rmSync(dir, { recursive: true, force: true });
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** Samples the RSS of `pid` every 100 ms until stopped; returns the peak in MiB. */
function rssSampler(pid: number): () => number {
  let peak = 0;
  const sample = (): void => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // the process is gone
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads

type SinkMode = 'null' | 'write' | 'fdatasync';

/** Id of a raw baseline produce row: the sink in `mode`, over `files` files (`/p<files>` when > 1). */
function sinkRowId(recordSize: number, mode: SinkMode, files = 1): string {
  return `baseline/produce/${recordSize}B/${mode}${files > 1 ? `/p${files}` : ''}`;
}

/**
 * Id of the raw baseline a produce row of `partitions` partitions is compared with: appends to one
 * file (`write`, or `fdatasync` when the row syncs), or for a synced row of several partitions one
 * file per partition, each with a group commit of its own (`fdatasync/p<P>`).
 */
function baselineId(recordSize: number, synced: boolean, partitions = 1): string {
  return synced ? sinkRowId(recordSize, 'fdatasync', partitions) : sinkRowId(recordSize, 'write');
}

async function baselineJob(recordSize: number, mode: SinkMode, files = 1): Promise<void> {
  const id = sinkRowId(recordSize, mode, files);
  const serveId = `baseline/consume/${recordSize}B/read`;
  const wantServe = mode === 'write' && files === 1 && wanted(serveId);
  if (!wanted(id) && !wantServe) return;
  const labels = {
    null: 'loopback only, no disk (generator ceiling)',
    write: 'loopback + append to file',
    fdatasync: 'loopback + append + fdatasync per round',
  };
  const perFile = files > 1 ? `, ${files.toLocaleString('en-US')} files (one per partition)` : '';
  const produceRow = row(id, `${recordSize} B baseline: ${labels[mode]}${perFile}`);
  const dir = freshDir('baseline');
  const file = join(dir, 'sink.bin');
  const sink = await spawnSink(['receive', mode, file, String(files)]);
  let produced = 0;
  let payload = 0;
  try {
    const meter = produceMeter(sink.child.pid!);
    const result = await produceLoad({
      host: sink.host,
      port: sink.port,
      topic: 'bench',
      recordSize,
      recordsPerBatch: RECORDS_PER_BATCH[recordSize]!,
      acks: 1,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: DURATION_MS,
      maxPayloadBytes: MAX_PAYLOAD,
      raw: true,
      partitions: files,
    });
    const measured = meter(result.payloadBytes);
    produced = result.records;
    payload = result.payloadBytes;
    produceRow.samples.push({
      recordsPerSec: (result.records / result.elapsedMs) * 1000,
      mibPerSec: (result.payloadBytes / MiB / result.elapsedMs) * 1000,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      ...measured,
    });
  } catch (error) {
    produceRow.errors.push(String(error));
  } finally {
    await sink.stop();
  }
  if (wantServe && produced > 0) {
    const serveRow = row(serveId, `${recordSize} B baseline: read file, send over loopback`);
    const server = await spawnSink(['serve', file]);
    try {
      const elapsedMs = await drain(server.host, server.port, statSync(file).size);
      serveRow.samples.push({
        recordsPerSec: (produced / elapsedMs) * 1000,
        mibPerSec: (payload / MiB / elapsedMs) * 1000,
      });
    } catch (error) {
      serveRow.errors.push(String(error));
    } finally {
      await server.stop();
    }
  }
  removeTree(dir);
}

/** Connects and counts bytes until the server closes; returns ms. */
async function drain(host: string, port: number, expected: number): Promise<number> {
  if (!JS_CONSUMER) {
    const read = await drainNative(host, port);
    if (read.bytes !== expected) throw new Error(`read ${read.bytes} of ${expected} bytes`);
    return read.elapsedMs;
  }
  const connection = await WireConnection.connect(host, port);
  const started = performance.now();
  let received = 0;
  connection.socket.removeAllListeners('data');
  connection.socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  await new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
  if (received !== expected) throw new Error(`read ${received} of ${expected} bytes`);
  return performance.now() - started;
}

/** A running broker that rows send their load to: Samsa or Apache Kafka. */
interface Target {
  host: string;
  port: number;
  pid: number;
  /** Where its partition directories (`<topic>-<partition>`, renamed on deletion) live. */
  dataDir: string;
}

interface SamsaProcess {
  broker: Listening;
  dir: string;
}

function targetOf({ broker, dir }: SamsaProcess): Target {
  return { host: broker.host, port: broker.port, pid: broker.child.pid!, dataDir: dir };
}

/** A Samsa broker on a fresh data dir, warmed up like Apache Kafka's (warmBroker). */
async function startSamsa(durability: Durability, nodeArgs: readonly string[] = []): Promise<SamsaProcess> {
  const dir = freshDir('samsa');
  const samsa = {
    dir,
    broker: await spawnSamsa({ dataDir: dir, settings: { 'samsa.durability': durability }, nodeArgs }),
  };
  try {
    await warmBroker(targetOf(samsa), `Samsa (${durability})`);
  } catch (error) {
    await stopSamsa(samsa);
    throw error;
  }
  return samsa;
}

/** Stops a broker and removes its data dir. */
async function stopSamsa({ broker, dir }: SamsaProcess): Promise<void> {
  await broker.stop();
  removeTree(dir);
}

/**
 * The Samsa broker of each durability mode: started on first use and shared by every row of the
 * run, as the rows share one Apache Kafka broker. Each row works on a topic of its own, deleted
 * after it (onNewTopic). Until this was so, every Samsa row had a broker of its own, fresh from
 * start-up, against a Kafka whose JIT compiler had finished long before: a fresh Samsa read a
 * topic of 7.3 M × 100 B at 19-26 M records/s in its first three reads and at 35-46 M from the
 * fourth on, the difference being V8 optimising the fetch path.
 */
const sharedSamsa = new Map<Durability, Promise<SamsaProcess>>();

async function samsaBroker(durability: Durability): Promise<Target> {
  let started = sharedSamsa.get(durability);
  if (started === undefined) {
    started = startSamsa(durability).then((samsa) => {
      brokerPids.samsa.add(samsa.broker.child.pid!);
      return samsa;
    });
    sharedSamsa.set(durability, started);
  }
  return targetOf(await started);
}

async function stopSharedSamsa(): Promise<void> {
  brokerPids.samsa.clear();
  for (const started of sharedSamsa.values()) {
    await started.then(stopSamsa, () => undefined);
  }
  sharedSamsa.clear();
}

let topics = 0;

interface NewTopicOptions {
  /** Topic configs, e.g. flush.messages=1. */
  configs?: Readonly<Record<string, string>>;
  /**
   * Write one 1-byte record to every partition until it is accepted (Apache Kafka lists a new
   * leader before it takes writes), so that each partition holds one record more than the job
   * wrote. Default true.
   */
  probe?: boolean;
}

/**
 * Runs `job` on a new topic of `partitions` partitions, then deletes the topic and waits until its
 * files are gone, so that the next row (after `sync`, see settled) pays for none of it. Apache
 * Kafka is started with log.segment.delete.delay.ms=0 for this: with its default of 60 s the files
 * went in the middle of later rows, and ext4's journal commits for unlinking gigabytes stalled
 * Samsa's O_DSYNC writes (p99 latency at 10 k/s: 10-17 ms instead of ~2 ms).
 */
async function onNewTopic(
  target: Target,
  prefix: string,
  partitions: number,
  job: (topic: string) => Promise<void>,
  options: NewTopicOptions = {},
): Promise<void> {
  const topic = `${prefix}-${++topics}`;
  const admin = await WireConnection.connect(target.host, target.port);
  try {
    await createTopic(admin, topic, partitions, options.configs ?? {});
    if (options.probe ?? true) await waitWritable(admin, 9, topic, partitions);
    await job(topic);
  } finally {
    try {
      deletedBytes += topicBytes(target.dataDir, topic);
      await deleteTopic(admin, topic);
      await topicFilesGone(target.dataDir, topic);
    } catch (error) {
      log(`deleting ${topic}: ${String(error)}`);
    }
    admin.close();
  }
}

/** The entries of `dataDir` that belong to `topic`: its partition directories. */
function topicEntries(dataDir: string, topic: string): string[] {
  const ours = new RegExp(`^${topic}-\\d+($|\\.)`);
  return readdirSync(dataDir).filter((name) => ours.test(name));
}

/** Bytes of the files of `topic` in `dataDir`. */
function topicBytes(dataDir: string, topic: string): number {
  return sum(topicEntries(dataDir, topic).map((name) => treeBytes(join(dataDir, name))));
}

/** Resolves once no entry of `dataDir` belongs to `topic` any more (at most 60 s). */
async function topicFilesGone(dataDir: string, topic: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (topicEntries(dataDir, topic).length > 0) {
    if (Date.now() > deadline) throw new Error(`the files of ${topic} are still in ${dataDir} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Records per partition of a topic the job wrote `perPartition` to after onNewTopic's probe. */
function withProbe(perPartition: readonly number[]): number[] {
  return perPartition.map((count) => count + 1);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Fills the topic of a produce row up to CONSUME_RECORDS with the same generator (acks=1, not
 * measured), so that every consume row reads a topic of the same size from its start. Returns
 * the records each partition then holds, the probe record included.
 */
async function fillForConsume(
  broker: { host: string; port: number },
  topic: string,
  recordSize: number,
  produced: ProduceLoadResult,
): Promise<number[]> {
  const expected = withProbe(produced.perPartition);
  const recordsPerBatch = RECORDS_PER_BATCH[recordSize]!;
  const missingBatches = Math.ceil((CONSUME_RECORDS - produced.records) / recordsPerBatch);
  if (missingBatches <= 0) return expected;
  const fill = await produceLoad({
    host: broker.host,
    port: broker.port,
    topic,
    recordSize,
    recordsPerBatch,
    acks: 1,
    connections: CONNECTIONS,
    inFlight: IN_FLIGHT,
    durationMs: FILL_TIMEOUT_MS,
    maxPayloadBytes: missingBatches * recordsPerBatch * recordSize,
  });
  if (fill.errors > 0) throw new Error(`filling ${topic} for the read failed: ${fill.firstError}`);
  return expected.map((count, partition) => count + (fill.perPartition[partition] ?? 0));
}

/**
 * Warms a broker up before its first row, Samsa's and Apache Kafka's alike: 3 s of the 1 KiB
 * produce load on one partition, then three reads of that topic with the consume rows' reader.
 */
async function warmBroker(target: Target, name: string): Promise<void> {
  log(`warming ${name} up: 3 s of produce, 3 reads`);
  await onNewTopic(target, 'warm-up', 1, async (topic) => {
    const produced = await produceLoad({
      host: target.host,
      port: target.port,
      topic,
      recordSize: 1024,
      recordsPerBatch: RECORDS_PER_BATCH[1024]!,
      acks: 1,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: 3000,
      maxPayloadBytes: MAX_PAYLOAD,
    });
    if (produced.errors > 0)
      throw new Error(`warm-up: ${produced.errors} failed requests: ${produced.firstError}`);
    for (let read = 0; read < 3; read++) {
      const done = await readTopic(
        target.host,
        target.port,
        target.pid,
        topic,
        withProbe(produced.perPartition),
        1024,
      );
      if (!done.complete) throw new Error(`warm-up: read ${done.records} of ${produced.records + 1} records`);
    }
  });
}

/** One Samsa row (and its consume row) on `broker`, or on the shared broker of its durability. */
async function samsaJob(w: SamsaWorkload, broker?: Target): Promise<void> {
  const ids = samsaIds(w);
  const consumeToo = w.acks === 1 && wanted(ids.consume);
  if (!wanted(ids.produce) && !consumeToo) return;
  const baseline = baselineId(w.recordSize, w.durability === 'fsync', w.partitions);
  const produceRow = row(
    ids.produce,
    `${w.recordSize} B Samsa produce, ${w.durability}, ${w.partitions} partition${w.partitions > 1 ? 's' : ''}, acks=${w.acks === -1 ? 'all' : w.acks}`,
    baseline,
    `kafka/produce/${w.recordSize}B/p${w.partitions}/acks${w.acks}`,
    w.durability === 'fsync' ? kafkaProduceId(w.recordSize, w.partitions, w.acks, true) : undefined,
  );
  let samsa: Target;
  try {
    samsa = broker ?? (await samsaBroker(w.durability));
  } catch (error) {
    produceRow.errors.push(String(error).slice(0, 2000));
    return;
  }
  const job = async (topic: string): Promise<void> => {
    const stopSampling = rssSampler(samsa.pid);
    const meter = produceMeter(samsa.pid);
    const result = await produceLoad({
      host: samsa.host,
      port: samsa.port,
      topic,
      recordSize: w.recordSize,
      recordsPerBatch: RECORDS_PER_BATCH[w.recordSize]!,
      acks: w.acks,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: DURATION_MS,
      maxPayloadBytes: MAX_PAYLOAD,
    });
    const measured = meter(result.payloadBytes);
    const peak = stopSampling();
    if (result.errors > 0) produceRow.errors.push(`${result.errors} failed requests: ${result.firstError}`);
    produceRow.samples.push({
      recordsPerSec: (result.records / result.elapsedMs) * 1000,
      mibPerSec: (result.payloadBytes / MiB / result.elapsedMs) * 1000,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      peakRssMiB: peak,
      ...measured,
      note: `Produce v${result.produceVersion}`,
    });
    if (consumeToo && result.records > 0) {
      const consumeRow = row(
        ids.consume,
        `${w.recordSize} B Samsa consume, ${w.durability}, ${w.partitions} partition${w.partitions > 1 ? 's' : ''}`,
        `baseline/consume/${w.recordSize}B/read`,
        kafkaConsumeId(w.recordSize, w.partitions),
      );
      try {
        const expected = await fillForConsume(samsa, topic, w.recordSize, result);
        const read = await readTopic(samsa.host, samsa.port, samsa.pid, topic, expected, w.recordSize);
        if (!read.complete) consumeRow.errors.push(`read ${read.records} of ${sum(expected)} records`);
        consumeRow.samples.push(consumeSample(read));
      } catch (error) {
        consumeRow.errors.push(String(error));
      }
    }
  };
  try {
    await onNewTopic(samsa, 'bench', w.partitions, job);
  } catch (error) {
    produceRow.errors.push(String(error));
  }
}

/**
 * The Samsa workload against Apache Kafka, on a fresh topic: in Kafka's default page-cache mode,
 * or (`flush`) on a topic created with flush.messages=1, so that Kafka fsyncs after every append
 * before it answers, as Samsa's fsync default does (produce only: the consume path is the same).
 */
async function kafkaJob(
  kafka: ApacheKafka,
  recordSize: number,
  partitions: number,
  acks: number,
  flush = false,
): Promise<void> {
  const produceId = kafkaProduceId(recordSize, partitions, acks, flush);
  const consumeId = kafkaConsumeId(recordSize, partitions);
  const consumeToo = !flush && acks === 1 && wanted(consumeId);
  if (!wanted(produceId) && !consumeToo) return;
  const plural = partitions > 1 ? 's' : '';
  const produceRow = row(
    produceId,
    `${recordSize} B Apache Kafka produce${flush ? ', flush.messages=1' : ''}, ${partitions} partition${plural}, acks=${acks === -1 ? 'all' : acks}`,
    baselineId(recordSize, flush, partitions),
  );
  const job = async (topic: string): Promise<void> => {
    const meter = produceMeter(kafka.pid);
    const result = await produceLoad({
      host: kafka.host,
      port: kafka.port,
      topic,
      recordSize,
      recordsPerBatch: RECORDS_PER_BATCH[recordSize]!,
      acks,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: DURATION_MS,
      maxPayloadBytes: MAX_PAYLOAD,
    });
    const measured = meter(result.payloadBytes);
    if (result.errors > 0) produceRow.errors.push(`${result.errors} failed requests: ${result.firstError}`);
    produceRow.samples.push({
      recordsPerSec: (result.records / result.elapsedMs) * 1000,
      mibPerSec: (result.payloadBytes / MiB / result.elapsedMs) * 1000,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      ...measured,
    });
    if (consumeToo && result.records > 0) {
      const consumeRow = row(
        consumeId,
        `${recordSize} B Apache Kafka consume, ${partitions} partition${plural}`,
        `baseline/consume/${recordSize}B/read`,
      );
      try {
        const expected = await fillForConsume(kafka, topic, recordSize, result);
        const read = await readTopic(kafka.host, kafka.port, kafka.pid, topic, expected, recordSize);
        if (!read.complete) consumeRow.errors.push(`read ${read.records} of ${sum(expected)} records`);
        consumeRow.samples.push(consumeSample(read));
      } catch (error) {
        consumeRow.errors.push(String(error));
      }
    }
  };
  try {
    await onNewTopic(kafka, 'bench', partitions, job, flush ? { configs: KAFKA_FLUSH_CONFIG } : {});
  } catch (error) {
    produceRow.errors.push(String(error).slice(0, 500));
  }
}

async function kcatJob(recordSize: number, durability: Durability, acks: number): Promise<void> {
  const produceId = `kcat/produce/${recordSize}B/${durability}/p1/acks${acks}`;
  const consumeId = `kcat/consume/${recordSize}B/${durability}/p1`;
  if (!wanted(produceId) && !wanted(consumeId)) return;
  const count = KCAT_RECORDS[recordSize]!;
  const file = writeLinesFile(scratch, count, recordSize);
  const produceRow = row(
    produceId,
    `${recordSize} B kcat produce, ${durability}, 1 partition, acks=${acks === -1 ? 'all' : acks}`,
    baselineId(recordSize, durability === 'fsync'),
  );
  const consumeRow = row(
    consumeId,
    `${recordSize} B kcat consume, ${durability}, 1 partition`,
    `baseline/consume/${recordSize}B/read`,
  );
  let samsa: Target;
  try {
    samsa = await samsaBroker(durability);
  } catch (error) {
    produceRow.errors.push(String(error).slice(0, 2000));
    return;
  }
  // No probe record: kcat's read-back is checked against the records it wrote.
  const job = async (topic: string): Promise<void> => {
    const bootstrap = `${samsa.host}:${samsa.port}`;
    const produced = await kcatProduce(bootstrap, topic, file, acks);
    if (produced.code !== 0)
      throw new Error(`kcat -P exited ${produced.code}: ${produced.stderr.slice(0, 500)}`);
    if (produced.stderr.trim() !== '') produceRow.errors.push(`kcat -P: ${produced.stderr.slice(0, 300)}`);
    const consumed = await kcatConsume(bootstrap, topic);
    if (consumed.stdoutBytes !== count) {
      produceRow.errors.push(`kcat read back ${consumed.stdoutBytes} of ${count} records`);
    }
    produceRow.samples.push({
      recordsPerSec: (count / produced.elapsedMs) * 1000,
      mibPerSec: ((count * recordSize) / MiB / produced.elapsedMs) * 1000,
    });
    if (consumed.code === 0 && consumed.stdoutBytes > 0) {
      consumeRow.samples.push({
        recordsPerSec: (consumed.stdoutBytes / consumed.elapsedMs) * 1000,
        mibPerSec: ((consumed.stdoutBytes * recordSize) / MiB / consumed.elapsedMs) * 1000,
      });
    } else {
      consumeRow.errors.push(`kcat -C exited ${consumed.code}: ${consumed.stderr.slice(0, 300)}`);
    }
  };
  try {
    await onNewTopic(samsa, 'kcat', 1, job, { probe: false });
  } catch (error) {
    produceRow.errors.push(String(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka's own load generators: kafka-producer-perf-test and kafka-consumer-perf-test

type PerfTarget = 'samsa' | 'samsa-pagecache' | 'kafka' | 'kafka-flush1';

/** What each perf-tool target runs against: its row ids' system and mode, its label, its broker. */
const PERF_TARGETS: Record<
  PerfTarget,
  { system: 'samsa' | 'kafka'; mode: string; who: string; samsa?: Durability }
> = {
  samsa: { system: 'samsa', mode: 'fsync/', who: 'Samsa, fsync', samsa: 'fsync' },
  'samsa-pagecache': { system: 'samsa', mode: 'pagecache/', who: 'Samsa, pagecache', samsa: 'pagecache' },
  kafka: { system: 'kafka', mode: '', who: 'Apache Kafka' },
  'kafka-flush1': { system: 'kafka', mode: 'flush1/', who: 'Apache Kafka, flush.messages=1' },
};

interface PerfSample {
  recordsPerSec: number;
  mibPerSec: number;
  /** Records the figures are over (the producer's steady-state records, the consumer's reads). */
  records: number;
  avgMs?: number;
  maxMs?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  /** Consumer: its group join, which the figures leave out. */
  rebalanceMs?: number;
}

interface PerfRow {
  id: string;
  label: string;
  kind: 'produce' | 'consume';
  peer?: string;
  fsyncPeer?: string;
  samples: PerfSample[];
  errors: string[];
}

const perfRows = new Map<string, PerfRow>();

function perfRow(id: string, label: string, kind: PerfRow['kind'], peer?: string, fsyncPeer?: string) {
  let found = perfRows.get(id);
  if (!found) {
    found = {
      id,
      label,
      kind,
      samples: [],
      errors: [],
      ...presentFields({ peer, fsyncPeer }),
    };
    perfRows.set(id, found);
  }
  return found;
}

function perfIds(w: PerfWorkload, target: PerfTarget): { produce: string; consume: string } {
  const { system, mode } = PERF_TARGETS[target];
  return perfToolIds(system, mode, w);
}

/**
 * One kafka-producer-perf-test run of `w` against the shared Samsa broker of either durability,
 * Apache Kafka or Kafka with flush.messages=1 (a fresh topic each), then, for the uncompressed
 * acks=1 runs against Samsa (fsync) and page-cache Kafka, one kafka-consumer-perf-test reading the
 * topic back (reading is the same work in either durability).
 */
async function perfToolJob(w: PerfWorkload, target: PerfTarget, kafka: ApacheKafka | undefined) {
  const ids = perfIds(w, target);
  const { who, samsa: durability } = PERF_TARGETS[target];
  const onSamsa = durability !== undefined;
  const consumeToo = (target === 'samsa' || target === 'kafka') && w.acks === 1 && w.compression === 'none';
  const wantConsume = consumeToo && wanted(ids.consume);
  if (!wanted(ids.produce) && !wantConsume) return;
  if (!onSamsa && !kafka) return;
  log(`  ${ids.produce}`);
  const plural = w.partitions > 1 ? 's' : '';
  const produceRow = perfRow(
    ids.produce,
    `${w.recordSize} B kafka-producer-perf-test → ${who}, ${w.partitions} partition${plural}, acks=${w.acks === -1 ? 'all' : w.acks}${w.compression === 'lz4' ? ', lz4' : ''}`,
    'produce',
    onSamsa ? perfIds(w, 'kafka').produce : undefined,
    target === 'samsa' ? perfIds(w, 'kafka-flush1').produce : undefined,
  );
  const job = async (host: string, port: number, topic: string): Promise<void> => {
    const bootstrap = `${host}:${port}`;
    const records = Math.round((PERF_MIB * MiB) / w.recordSize);
    const produced = await producerPerf({
      bootstrap,
      topic,
      records,
      warmupRecords: Math.round(records * PERF_WARMUP_SHARE),
      recordSize: w.recordSize,
      acks: w.acks,
      compression: w.compression,
      lingerMs: PERF_LINGER_MS,
      batchSize: PERF_BATCH_SIZE,
    });
    if (!produced.steadyState) produceRow.errors.push('no steady-state line: figures include the warm-up');
    produceRow.samples.push({
      recordsPerSec: produced.recordsPerSec,
      mibPerSec: produced.mibPerSec,
      records: produced.records,
      avgMs: produced.avgMs,
      maxMs: produced.maxMs,
      p50Ms: produced.p50Ms,
      p95Ms: produced.p95Ms,
      p99Ms: produced.p99Ms,
      p999Ms: produced.p999Ms,
    });
    if (wantConsume) {
      const consumeRow = perfRow(
        ids.consume,
        `${w.recordSize} B kafka-consumer-perf-test ← ${who}, ${w.partitions} partition${plural}`,
        'consume',
        target === 'samsa' ? perfIds(w, 'kafka').consume : undefined,
      );
      try {
        const read = await consumerPerf({ bootstrap, topic, records });
        if (read.records < records) consumeRow.errors.push(`read ${read.records} of ${records} records`);
        consumeRow.samples.push({
          recordsPerSec: read.recordsPerSec,
          mibPerSec: read.mibPerSec,
          records: read.records,
          rebalanceMs: read.rebalanceMs,
        });
      } catch (error) {
        consumeRow.errors.push(String(error).slice(0, 500));
      }
    }
  };
  try {
    const broker = onSamsa ? await samsaBroker(durability) : kafka!;
    await onNewTopic(broker, 'perf', w.partitions, (topic) => job(broker.host, broker.port, topic), {
      ...(target === 'kafka-flush1' ? { configs: KAFKA_FLUSH_CONFIG } : {}),
      // Kafka can list a new leader before it takes writes; the tool would retry, but not time it.
      probe: !onSamsa,
    });
  } catch (error) {
    produceRow.errors.push(String(error).slice(0, 500));
  }
}

/** The producer settings of the perf-tool rows, as passed to the tool (bootstrap left out). */
function perfSettings(): string {
  const sample: ProducerPerfOptions = {
    bootstrap: '',
    topic: '',
    records: 0,
    warmupRecords: 0,
    recordSize: 0,
    acks: 1,
    compression: 'none',
    lingerMs: PERF_LINGER_MS,
    batchSize: PERF_BATCH_SIZE,
  };
  return producerProperties(sample)
    .filter((p) => p.startsWith('linger') || p.startsWith('batch'))
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// End-to-end latency, recovery after SIGKILL, 100 concurrent producers

interface LatencyRow {
  id: string;
  label: string;
  peer?: string;
  /** The Kafka row with flush.messages=1 (matched durability), for Samsa's fsync row. */
  fsyncPeer?: string;
  samples: LatencyResult[];
  errors: string[];
}

const latencyRows = new Map<string, LatencyRow>();

function latencyRow(id: string, label: string, peer?: string, fsyncPeer?: string): LatencyRow {
  let found = latencyRows.get(id);
  if (!found) {
    found = {
      id,
      label,
      samples: [],
      errors: [],
      ...presentFields({ peer, fsyncPeer }),
    };
    latencyRows.set(id, found);
  }
  return found;
}

async function measureLatency(
  target: LatencyRow,
  host: string,
  port: number,
  topic: string,
  rate: number,
  raw = false,
) {
  const result = await latencyRunInChild(
    { host, port, topic, rate, recordSize: 100, warmUpMs: LATENCY_WARMUP_MS, measureMs: LATENCY_MS, raw },
    LATENCY_WARMUP_MS + LATENCY_MS + 60_000,
  );
  if (result.errors > 0) target.errors.push(`${result.errors} errors: ${result.firstError}`);
  target.samples.push(result);
}

/**
 * The raw baseline at a fixed produce rate: the sink (bench/baseline/sink.ts) appending to one
 * file with an `fdatasync` per round, as the Samsa fsync row's partition does. It has no consumer,
 * so its figures are acknowledgement latencies: what Node and this disk allow for the part of the
 * end-to-end latency that waits for the synced write (compare Samsa's ack p99).
 */
async function baselineLatencyJob(rate: number): Promise<void> {
  const id = `baseline/latency/${rate}`;
  if (!wanted(id)) return;
  log(`  ${id}`);
  const target = latencyRow(
    id,
    `raw baseline, append + fdatasync per round, ${compact(rate)} records/s of 100 B: acknowledgement latency (no consumer)`,
  );
  const dir = freshDir('baseline');
  try {
    const sink = await spawnSink(['receive', 'fdatasync', join(dir, 'sink.bin')]);
    try {
      await measureLatency(target, sink.host, sink.port, 'latency', rate, true);
    } finally {
      await sink.stop();
    }
  } catch (error) {
    target.errors.push(String(error).slice(0, 2000));
  }
  removeTree(dir);
}

/**
 * Samsa (the shared broker of `durability`) at a fixed produce rate, producer and consumer at
 * once. The fsync row is the target's; the pagecache row, beside Kafka's own, shows how much of
 * the difference is the synced write.
 */
async function samsaLatencyJob(rate: number, durability: Durability): Promise<void> {
  const id = latencyId('samsa', rate, durability === 'pagecache');
  if (!wanted(id)) return;
  log(`  ${id}`);
  const target = latencyRow(
    id,
    `Samsa, ${durability}, ${compact(rate)} records/s of 100 B`,
    latencyId('kafka', rate, false),
    durability === 'fsync' ? latencyId('kafka', rate, true) : undefined,
  );
  try {
    const samsa = await samsaBroker(durability);
    await onNewTopic(samsa, 'latency', 1, (topic) =>
      measureLatency(target, samsa.host, samsa.port, topic, rate),
    );
  } catch (error) {
    target.errors.push(String(error).slice(0, 2000));
  }
}

/** Apache Kafka at a fixed produce rate; `flush`: on a topic with flush.messages=1. */
async function kafkaLatencyJob(kafka: ApacheKafka, rate: number, flush: boolean): Promise<void> {
  const id = latencyId('kafka', rate, flush);
  if (!wanted(id)) return;
  log(`  ${id}`);
  const target = latencyRow(
    id,
    `Apache Kafka${flush ? ', flush.messages=1' : ''}, ${compact(rate)} records/s of 100 B`,
  );
  try {
    await onNewTopic(
      kafka,
      'latency',
      1,
      (topic) => measureLatency(target, kafka.host, kafka.port, topic, rate),
      flush ? { configs: KAFKA_FLUSH_CONFIG } : {},
    );
  } catch (error) {
    target.errors.push(String(error).slice(0, 500));
  }
}

interface RecoverySample {
  logMiB: number;
  records: number;
  writeSeconds: number;
  listeningMs: number;
  connectMs: number;
  fetchMs: number;
}

interface RecoveryRow {
  id: string;
  label: string;
  samples: RecoverySample[];
  errors: string[];
}

const recoveryRows = new Map<string, RecoveryRow>();

type RecoveryVariant = 'default' | 'seg128MB' | 'seg128MB-checkpointed';

/**
 * Writes `sizeMiB` of 1 KiB records into one partition of a fresh Samsa (fsync), SIGKILLs it right
 * after the last acknowledgement (or, checkpointed, 65 s later: the recovery-point checkpoint runs
 * every 60 s), restarts it on the same data dir and times spawn → "listening" line → first accepted
 * connection → first Fetch that returns the log's last batch.
 */
async function recoveryJob(sizeMiB: number, variant: RecoveryVariant): Promise<void> {
  const id = `samsa/recovery/${sizeMiB}MB${variant === 'default' ? '' : `/${variant}`}`;
  if (!wanted(id)) return;
  log(`  ${id}`);
  let target = recoveryRows.get(id);
  if (!target) {
    const labels = {
      default: 'default 1 GiB segments, SIGKILL right after the writes',
      seg128MB: '128 MiB segments, SIGKILL right after the writes',
      'seg128MB-checkpointed':
        '128 MiB segments, SIGKILL 65 s after the writes (recovery point checkpointed)',
    };
    target = { id, label: `Samsa, fsync, ${sizeMiB} MiB log, ${labels[variant]}`, samples: [], errors: [] };
    recoveryRows.set(id, target);
  }
  const settings: Record<string, string | number> = { 'samsa.durability': 'fsync', 'num.partitions': 1 };
  if (variant !== 'default') settings['log.segment.bytes'] = 128 * MiB;
  const dir = freshDir('recovery');
  let broker: Listening | undefined;
  try {
    broker = await spawnSamsa({ dataDir: dir, settings });
    const writeStarted = performance.now();
    const result = await produceLoad({
      host: broker.host,
      port: broker.port,
      topic: 'recovery',
      recordSize: 1024,
      recordsPerBatch: RECORDS_PER_BATCH[1024]!,
      acks: 1,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: 120_000,
      maxPayloadBytes: sizeMiB * MiB,
    });
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    if (result.errors > 0) throw new Error(`${result.errors} failed requests: ${result.firstError}`);
    if (variant === 'seg128MB-checkpointed') await new Promise((resolve) => setTimeout(resolve, 65_000));
    const exited = new Promise<void>((resolve) => broker!.child.once('exit', () => resolve()));
    broker.child.kill('SIGKILL');
    await exited;
    broker = undefined;
    const spawned = performance.now();
    broker = await spawnSamsa({ dataDir: dir, settings });
    const listeningMs = performance.now() - spawned;
    await waitForConnect(broker.host, broker.port, 120_000);
    const connectMs = performance.now() - spawned;
    await firstFetchAt(broker.host, broker.port, 'recovery', result.records - 1);
    const fetchMs = performance.now() - spawned;
    target.samples.push({
      logMiB: result.wireBytes / MiB,
      records: result.records,
      writeSeconds,
      listeningMs,
      connectMs,
      fetchMs,
    });
  } catch (error) {
    target.errors.push(String(error).slice(0, 1000));
  } finally {
    await broker?.stop();
    removeTree(dir);
  }
}

/** 100 connections, one Produce of 10 × 100 B in flight on each, acks=1, one partition. */
async function producersJob(kafka: ApacheKafka | undefined, system: 'samsa' | 'kafka'): Promise<void> {
  const id = `${system}/producers${PRODUCERS}`;
  if (!wanted(id)) return;
  if (system === 'kafka' && !kafka) return;
  log(`  ${id}`);
  const target = row(
    id,
    `${PRODUCERS} producers × 1 in flight, ${PRODUCERS_BATCH} × 100 B per request, 1 partition, acks=1: ${system === 'samsa' ? 'Samsa, fsync' : 'Apache Kafka'}`,
    undefined,
    system === 'samsa' ? `kafka/producers${PRODUCERS}` : undefined,
  );
  const job = async ({ host, port, pid }: Target, topic: string): Promise<void> => {
    const meter = produceMeter(pid);
    const result = await produceLoad({
      host,
      port,
      topic,
      recordSize: 100,
      recordsPerBatch: PRODUCERS_BATCH,
      acks: 1,
      connections: PRODUCERS,
      inFlight: 1,
      durationMs: DURATION_MS,
    });
    const measured = meter(result.payloadBytes);
    if (result.errors > 0) target.errors.push(`${result.errors} failed requests: ${result.firstError}`);
    target.samples.push({
      recordsPerSec: (result.records / result.elapsedMs) * 1000,
      mibPerSec: (result.payloadBytes / MiB / result.elapsedMs) * 1000,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      ...measured,
    });
  };
  try {
    const broker = system === 'samsa' ? await samsaBroker('fsync') : kafka!;
    await onNewTopic(broker, 'producers', 1, (topic) => job(broker, topic));
  } catch (error) {
    target.errors.push(String(error).slice(0, 500));
  }
}

function renderLatency(): string {
  if (latencyRows.size === 0) return '';
  const p99Of = (id: string | undefined) =>
    id === undefined ? undefined : summarize(latencyRows.get(id)?.samples.map((s) => s.p99) ?? []);
  return markdownTable(
    [
      'end-to-end latency',
      'sent records/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'p99 vs Apache Kafka',
      'p99 vs Kafka flush.messages=1',
      'ack p99 ms',
      'notes',
    ],
    [...latencyRows.values()].map((r) => {
      const of = (pick: (s: LatencyResult) => number) => summarize(r.samples.map(pick));
      const peer = p99Of(r.peer);
      const fsyncPeer = p99Of(r.fsyncPeer);
      const p99 = of((s) => s.p99);
      return [
        r.label,
        range(
          of((s) => s.sentRate),
          compact,
        ),
        range(
          of((s) => s.p50),
          (v) => fixed(v, 1),
        ),
        range(p99, (v) => fixed(v, 1)),
        range(
          of((s) => s.p999),
          (v) => fixed(v, 1),
        ),
        range(
          of((s) => s.max),
          (v) => fixed(v, 0),
        ),
        peer && peer.n > 0 ? ratio(p99, peer) : '',
        fsyncPeer && fsyncPeer.n > 0 ? ratio(p99, fsyncPeer) : '',
        range(
          of((s) => s.ackP99),
          (v) => fixed(v, 1),
        ),
        r.errors.length > 0 ? `⚠ ${r.errors[0]!.slice(0, 120)}` : '',
      ];
    }),
  );
}

function renderRecovery(): string {
  if (recoveryRows.size === 0) return '';
  return markdownTable(
    [
      'restart after SIGKILL',
      'log MiB (wire)',
      'write s',
      'spawn → listening ms',
      'spawn → first connection ms',
      'spawn → first Fetch at log end ms',
      'notes',
    ],
    [...recoveryRows.values()].map((r) => {
      const of = (pick: (s: RecoverySample) => number) => summarize(r.samples.map(pick));
      return [
        r.label,
        range(
          of((s) => s.logMiB),
          (v) => fixed(v, 0),
        ),
        range(
          of((s) => s.writeSeconds),
          (v) => fixed(v, 1),
        ),
        range(
          of((s) => s.listeningMs),
          (v) => fixed(v, 0),
        ),
        range(
          of((s) => s.connectMs),
          (v) => fixed(v, 0),
        ),
        range(
          of((s) => s.fetchMs),
          (v) => fixed(v, 0),
        ),
        r.errors.length > 0 ? `⚠ ${r.errors[0]!.slice(0, 120)}` : '',
      ];
    }),
  );
}

/** One untimed run against the sink, so the generator's JIT warm-up is not in the first row. */
async function warmUp(): Promise<void> {
  const sink = await spawnSink(['receive', 'null', '/dev/null']);
  try {
    await produceLoad({
      host: sink.host,
      port: sink.port,
      topic: 'bench',
      recordSize: 100,
      recordsPerBatch: RECORDS_PER_BATCH[100]!,
      acks: 1,
      connections: CONNECTIONS,
      inFlight: IN_FLIGHT,
      durationMs: 1000,
      raw: true,
    });
  } finally {
    await sink.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The disk alone

const SYNC_PROBE = join(ROOT, 'bench', 'baseline', 'sync-probe.ts');
const DISK_WRITE_SIZES = [65_536, 262_144, 1_048_576] as const;

interface DiskFigures {
  mibPerSize: number;
  /** One entry per write size, each with REPS samples in MB/s. */
  sizes: { writeBytes: number; append: number[]; overwrite: number[]; zeroAhead: number[] }[];
}

/**
 * What the disk syncs with no network and no broker: O_DSYNC appends against overwrites of blocks
 * written and synced beforehand, and overwrites with a thread preparing those blocks meanwhile
 * (bench/baseline/sync-probe.ts in a child, once per repetition, in the scratch directory).
 */
async function diskProbe(): Promise<DiskFigures> {
  const mib = Number(flags['disk-mib']);
  const sizes = DISK_WRITE_SIZES.map((writeBytes) => ({
    writeBytes,
    append: [] as number[],
    overwrite: [] as number[],
    zeroAhead: [] as number[],
  }));
  for (let rep = 0; rep < REPS; rep++) {
    log(`disk probe ${rep + 1}/${REPS}`);
    const args = ['--import', 'tsx', SYNC_PROBE, '--dir', scratch, '--mib', String(mib), '--json'];
    args.push('--sizes', DISK_WRITE_SIZES.join(','));
    // Like a row: after `sync`, and on a quiet disk when the rows before deleted much.
    await settled('baseline', async () => {
      const rows = (await runForJson('sync probe', process.execPath, args, 600_000)) as ProbeRow[];
      for (const row of rows) {
        const entry = sizes.find((size) => size.writeBytes === row.writeBytes);
        entry?.append.push(row.appendMBps);
        entry?.overwrite.push(row.overwriteMBps);
        entry?.zeroAhead.push(row.zeroAheadMBps);
      }
    });
  }
  return { mibPerSize: mib, sizes };
}

function renderDisk(figures: DiskFigures): string {
  const mbps = (samples: number[]) => range(summarize(samples), (v) => fixed(v, 0));
  return markdownTable(
    [
      `disk alone, O_DSYNC writes of ${figures.mibPerSize} MiB (MB/s)`,
      'appending (grows the file)',
      'over synced zeros',
      'over zeros a thread keeps 64 MiB ahead',
      'over zeros / appending',
    ],
    figures.sizes.map((size) => [
      size.writeBytes >= MiB ? `${size.writeBytes / MiB} MiB writes` : `${size.writeBytes / 1024} KiB writes`,
      mbps(size.append),
      mbps(size.overwrite),
      mbps(size.zeroAhead),
      `${(summarize(size.overwrite).median / summarize(size.append).median).toFixed(2)}×`,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Start-up

interface StartupFigures {
  spawnToConnectMs: Summary;
  idleRssMiB: Summary;
  inProcessDiskMs: Summary;
  inProcessMemoryMs: Summary;
  nodeBaselineMs: Summary;
}

async function startup(): Promise<StartupFigures> {
  const spawnMs: number[] = [];
  const rss: number[] = [];
  const nodeMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    // Baseline: a bare `node -e` that listens, spawned the same way.
    const bare = await import('./lib/processes.js').then(({ spawnListening }) =>
      spawnListening(process.execPath, [
        '-e',
        "require('node:net').createServer().listen(0,'127.0.0.1',function(){console.log('listening on 127.0.0.1:'+this.address().port)})",
      ]),
    );
    nodeMs.push(bare.readyMs + (await waitForConnect(bare.host, bare.port)));
    await bare.stop();

    const dir = freshDir('startup');
    const broker = await spawnSamsa({ dataDir: dir });
    spawnMs.push(broker.readyMs + (await waitForConnect(broker.host, broker.port)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rss.push(rssMiB(broker.child.pid!));
    await stopSamsa({ broker, dir });
  }
  const { startBroker } = await import('../src/broker/broker.js');
  const disk: number[] = [];
  const memory: number[] = [];
  for (let i = 0; i < 20; i++) {
    const dir = freshDir('inproc');
    let started = performance.now();
    const onDisk = await startBroker({ dataDir: dir, logLevel: 'silent' });
    await onDisk.stop();
    disk.push(performance.now() - started);
    removeTree(dir);
    started = performance.now();
    const inMemory = await startBroker({ logLevel: 'silent' });
    await inMemory.stop();
    memory.push(performance.now() - started);
  }
  return {
    spawnToConnectMs: summarize(spawnMs),
    idleRssMiB: summarize(rss),
    inProcessDiskMs: summarize(disk),
    inProcessMemoryMs: summarize(memory),
    nodeBaselineMs: summarize(nodeMs),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function ratio(rowValue: Summary, baselineValue: Summary | undefined): string {
  if (!baselineValue || !Number.isFinite(baselineValue.median) || baselineValue.median === 0) return '';
  const value = rowValue.median / baselineValue.median;
  // Two decimals, or two significant digits below 0.1 (a p99 against Kafka's queueing at
  // flush.messages=1 can be a few thousandths), so that no ratio reads 0.00×.
  return `${value >= 0.1 || value === 0 ? value.toFixed(2) : value.toPrecision(2)}×`;
}

function renderThroughput(): string {
  const summaries = new Map<string, { records: Summary; mib: Summary }>();
  for (const r of rows.values()) {
    summaries.set(r.id, {
      records: summarize(r.samples.map((s) => s.recordsPerSec)),
      mib: summarize(r.samples.map((s) => s.mibPerSec)),
    });
  }
  const table = [...rows.values()].map((r) => {
    const own = summaries.get(r.id)!;
    const base = r.baseline !== undefined ? summaries.get(r.baseline) : undefined;
    const peer = r.peer !== undefined ? summaries.get(r.peer) : undefined;
    const fsyncPeer = r.fsyncPeer !== undefined ? summaries.get(r.fsyncPeer) : undefined;
    const p50 = summarize(r.samples.map((s) => s.p50Ms ?? Number.NaN));
    const p99 = summarize(r.samples.map((s) => s.p99Ms ?? Number.NaN));
    const rss = summarize(r.samples.map((s) => s.peakRssMiB ?? Number.NaN));
    const serverCpu = summarize(r.samples.map((s) => s.serverCpu ?? Number.NaN));
    const generatorCpu = summarize(r.samples.map((s) => s.generatorCpu ?? Number.NaN));
    const restCpu = summarize(r.samples.map((s) => s.restCpu ?? Number.NaN));
    const diskShare = summarize(r.samples.map((s) => s.diskShare ?? Number.NaN));
    return [
      r.label,
      range(own.records, compact),
      range(own.mib, (v) => fixed(v, 0)),
      base ? `${ratio(own.mib, base.mib)} of ${shortBaseline(r.baseline!)}` : '',
      peer && peer.mib.n > 0 ? ratio(own.mib, peer.mib) : '',
      fsyncPeer && fsyncPeer.mib.n > 0 ? ratio(own.mib, fsyncPeer.mib) : '',
      p50.n > 0 ? `${fixed(p50.median)} / ${fixed(p99.median)}` : '',
      serverCpu.n > 0
        ? `${fixed(serverCpu.median, 0)} / ${fixed(generatorCpu.median, 0)}${restCpu.n > 0 ? ` / ${fixed(restCpu.median, 0)}` : ''}`
        : '',
      rss.n > 0 ? fixed(rss.median, 0) : '',
      diskShare.n > 0 ? range(diskShare, (v) => fixed(v * 100, 0)) : '',
      r.errors.length > 0 ? `⚠ ${r.errors[0]!.slice(0, 120)}` : '',
    ];
  });
  return markdownTable(
    [
      'workload',
      'records/s',
      'MiB/s (payload)',
      'vs baseline',
      'vs Apache Kafka',
      'vs Kafka flush.messages=1',
      'ack p50 / p99 ms',
      'CPU % server / generator / rest',
      'peak RSS MiB',
      'written to disk during the run, % of payload',
      'notes',
    ],
    table,
  );
}

function renderPerfTool(): string {
  if (perfRows.size === 0) return '';
  const records = (id: string | undefined) =>
    id === undefined ? undefined : summarize(perfRows.get(id)?.samples.map((s) => s.recordsPerSec) ?? []);
  const ratioTo = (own: Summary, id: string | undefined) => {
    const other = records(id);
    return other && other.n > 0 ? ratio(own, other) : '';
  };
  const ms = (r: PerfRow, pick: (s: PerfSample) => number | undefined) =>
    fixed(summarize(r.samples.map((s) => pick(s) ?? Number.NaN)).median, 0);
  return markdownTable(
    [
      `Kafka's perf tools (${perfSettings()})`,
      'records/s',
      'MiB/s (payload)',
      'vs Apache Kafka',
      'vs Kafka flush.messages=1',
      'latency avg / p50 / p95 / p99 / p99.9 / max ms',
      'notes',
    ],
    [...perfRows.values()].map((r) => {
      const own = summarize(r.samples.map((s) => s.recordsPerSec));
      const latency =
        r.kind === 'produce' && r.samples.length > 0
          ? [
              ms(r, (s) => s.avgMs),
              ms(r, (s) => s.p50Ms),
              ms(r, (s) => s.p95Ms),
              ms(r, (s) => s.p99Ms),
              ms(r, (s) => s.p999Ms),
              ms(r, (s) => s.maxMs),
            ].join(' / ')
          : '';
      return [
        r.label,
        range(own, compact),
        range(summarize(r.samples.map((s) => s.mibPerSec)), (v) => fixed(v, 0)),
        ratioTo(own, r.peer),
        ratioTo(own, r.fsyncPeer),
        latency,
        r.errors.length > 0 ? `⚠ ${r.errors[0]!.slice(0, 120)}` : '',
      ];
    }),
  );
}

function shortBaseline(id: string): string {
  const [, kind, , mode, files] = id.split('/');
  if (kind === 'consume') return 'read';
  return files ? `${mode} to ${Number(files.slice(1)).toLocaleString('en-US')} files` : mode!;
}

function renderStartup(figures: StartupFigures): string {
  return markdownTable(
    ['start-up', 'median (min–max)', 'vs baseline'],
    [
      [
        '`node bin/samsa.js start`: spawn to first accepted connection (ms, 5 runs)',
        range(figures.spawnToConnectMs, (v) => fixed(v, 0)),
        `${(figures.spawnToConnectMs.median / figures.nodeBaselineMs.median).toFixed(1)}× of bare \`node -e listen\` (${fixed(figures.nodeBaselineMs.median, 0)} ms)`,
      ],
      ['idle RSS after start (MiB)', range(figures.idleRssMiB, (v) => fixed(v, 0)), ''],
      [
        'in-process `startBroker()` + `stop()`, on disk (ms, 20 runs)',
        range(figures.inProcessDiskMs, (v) => fixed(v, 1)),
        '',
      ],
      [
        'in-process `startBroker()` + `stop()`, in memory (ms, 20 runs)',
        range(figures.inProcessMemoryMs, (v) => fixed(v, 1)),
        '',
      ],
    ],
  );
}

function machine(): Record<string, string> {
  const sh = (command: string) => {
    try {
      return execFileSync('sh', ['-c', command], { encoding: 'utf8' }).trim();
    } catch {
      return 'n/a';
    }
  };
  return {
    nproc: sh('nproc'),
    cpu: cpus()[0]?.model ?? 'n/a',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`,
    disk: sh(`df -h ${tmpdir()} | tail -1`),
    node: process.version,
    kcat: sh('kcat -V 2>&1 | grep -i librdkafka | head -1'),
    // BENCH_COMMIT names the commit when running from a `git archive` snapshot (no .git there).
    commit: process.env.BENCH_COMMIT ?? sh(`git -C ${ROOT} rev-parse --short HEAD`),
    dirtySrc:
      process.env.BENCH_COMMIT !== undefined ? '0' : sh(`git -C ${ROOT} status --porcelain src | wc -l`),
  };
}

// ---------------------------------------------------------------------------------------------

async function profile(id: string): Promise<void> {
  const match = /^samsa\/produce\/(\d+)B\/(fsync|pagecache)\/p(\d+)\/acks(-?\d+)$/.exec(id);
  if (!match) throw new Error('--profile takes a samsa/produce/... row id');
  const profileDir = join(ROOT, 'bench', 'results', 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const before = new Set(readdirSync(profileDir));
  const durability = match[2] as Durability;
  const samsa = await startSamsa(durability, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    const workload = {
      recordSize: Number(match[1]),
      durability,
      partitions: Number(match[3]),
      acks: Number(match[4]),
    };
    await samsaJob(workload, targetOf(samsa));
  } finally {
    await stopSamsa(samsa);
  }
  console.log(renderThroughput());
  for (const file of readdirSync(profileDir)) {
    if (before.has(file) || !file.endsWith('.cpuprofile')) continue;
    console.log(`\n${join(profileDir, file)}\n`);
    console.log(summarizeProfile(join(profileDir, file)));
  }
}

async function main(): Promise<void> {
  if (!flags['no-build']) {
    log('building dist/ (tsc, then npm run bundle)');
    // The build info sits in dist/ itself (tsconfig.build.json says so too), never in a
    // node_modules/.cache that several work trees may share through a linked node_modules.
    const build = spawnSync(
      'npx',
      ['tsc', '-p', 'tsconfig.build.json', '--tsBuildInfoFile', join('dist', '.tsbuildinfo')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (build.status !== 0) log(`build reported errors (continuing with what was emitted):\n${build.stdout}`);
    // bin/samsa.js runs the CLI bundled into dist/samsa.js.
    const bundle = spawnSync('npm', ['run', 'bundle', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    if (bundle.status !== 0) throw new Error(`npm run bundle failed:\n${bundle.stdout}${bundle.stderr}`);
  }
  if (flags.profile !== undefined) {
    await profile(flags.profile);
    return;
  }
  const started = Date.now();
  await warmUp();
  const useKcat = !flags['skip-kcat'] && kcatAvailable();
  let kafka: ApacheKafka | undefined;
  if (!flags['skip-kafka'] && apacheKafkaAvailable() && kafkaRowIds().some(wanted)) {
    try {
      log('starting Apache Kafka (bench/kafka/start-kafka.sh)');
      kafka = await startApacheKafka(freshDir('apache-kafka'));
      log(`Apache Kafka ready in ${kafka.startSeconds} s`);
      await warmBroker(kafka, 'Apache Kafka');
      brokerPids.kafka = kafka.pid;
    } catch (error) {
      log(`Apache Kafka not started, its rows are skipped: ${String(error).slice(0, 500)}`);
      await kafka?.stop().catch(() => undefined);
      kafka = undefined;
    }
  }
  try {
    await runRepetitions(useKcat, kafka);
  } finally {
    await stopSharedSamsa();
    brokerPids.kafka = undefined;
    await kafka?.stop().catch((error: unknown) => log(`stopping Apache Kafka failed: ${String(error)}`));
  }
  await report(started);
}

/** Every row id that needs Apache Kafka, so that --only starts it only when one is selected. */
function kafkaRowIds(): string[] {
  const ids: string[] = [];
  for (const size of SIZES) {
    for (const partitions of [1, 6]) {
      ids.push(kafkaConsumeId(size, partitions));
      for (const acks of [1, -1]) {
        ids.push(kafkaProduceId(size, partitions, acks, false), kafkaProduceId(size, partitions, acks, true));
      }
    }
  }
  for (const w of PERF_WORKLOADS) {
    for (const target of ['kafka', 'kafka-flush1'] as const) {
      const { produce, consume } = perfIds(w, target);
      ids.push(produce, consume);
    }
  }
  for (const rate of LATENCY_RATES) ids.push(latencyId('kafka', rate, false), latencyId('kafka', rate, true));
  ids.push(`kafka/producers${PRODUCERS}`);
  return ids;
}

/** Which brokers a row uses: the others are idle during it. */
type RowOwner = 'baseline' | 'samsa' | 'kafka';

/** The shared Samsa brokers and Apache Kafka, by pid, for pausing those a row does not use. */
const brokerPids = { samsa: new Set<number>(), kafka: undefined as number | undefined };
const paused = new Set<number>();

function continuePaused(): void {
  for (const pid of paused) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Gone already.
    }
  }
  paused.clear();
}

// A stopped broker would ignore the SIGTERM of its own shutdown: continue it whatever ends the run.
process.on('exit', continuePaused);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    continuePaused();
    process.kill(process.pid, signal);
  });
}

/** Deleting more than this since the last row makes the next one wait for a quiet disk. */
const QUIET_AFTER_DELETING = 256 * MiB;

/**
 * Runs one row's job after `sync`: every row starts with no dirty page-cache data left by the rows
 * before it. Otherwise a durable Samsa row pays, in its own fsyncs, for writing out the gigabytes
 * that Apache Kafka's page-cache rows left dirty on the same file system (ext4 data=ordered: a
 * journal commit waits for that data), which measured 130-440 ms stalls at p99. After the rows
 * before it deleted more than QUIET_AFTER_DELETING (a consume row's 10 M records of 1 KiB are
 * 10 GiB), it also waits until synchronous writes stop stalling, see bench/lib/disk.ts.
 *
 * The brokers the row does not use are stopped (SIGSTOP) for its duration and continued after it,
 * so that each system is measured on an otherwise idle machine: Apache Kafka's idle JVM used 3-20 %
 * of a core in the minute after a produce load, which Samsa's rows paid for (1 KiB produce on one
 * partition: 444 and 492 k records/s with it running, 500 and 510 k without), while idle Samsa
 * brokers took 0-2 % from Kafka's rows. Kafka, broker and controller in one JVM, takes writes again
 * at once after a pause (a new topic was writable 144 ms after a 60 s pause, as after none).
 * `--keep-idle-running` measures the old way.
 */
async function settled(owner: RowOwner, job: () => Promise<void>): Promise<void> {
  spawnSync('sync');
  if (deletedBytes >= QUIET_AFTER_DELETING) {
    const freed = deletedBytes;
    deletedBytes = 0;
    const disk = await waitForQuietDisk(scratch);
    log(
      `  ${fixed(freed / MiB, 0)} MiB deleted: disk ${disk.quiet ? 'quiet' : 'still stalling'} after ` +
        `${fixed(disk.waitedMs / 1000, 1)} s (${disk.stalls} stalled writes, worst ${fixed(disk.worstMs, 0)} ms)`,
    );
  }
  if (!flags['keep-idle-running']) {
    const idle = [
      ...(owner !== 'samsa' ? brokerPids.samsa : []),
      ...(owner !== 'kafka' && brokerPids.kafka !== undefined ? [brokerPids.kafka] : []),
    ];
    for (const pid of idle) {
      process.kill(pid, 'SIGSTOP');
      paused.add(pid);
    }
  }
  try {
    await job();
  } finally {
    continuePaused();
  }
}

async function runRepetitions(useKcat: boolean, kafka: ApacheKafka | undefined): Promise<void> {
  for (let rep = 1; rep <= REPS; rep++) {
    log(`repetition ${rep} of ${REPS}`);
    for (const size of SIZES) {
      for (const mode of ['null', 'write', 'fdatasync'] as const)
        await settled('baseline', () => baselineJob(size, mode));
      for (const files of SAMSA_PARTITIONS.filter((partitions) => partitions > 1))
        await settled('baseline', () => baselineJob(size, 'fdatasync', files));
      for (const durability of ['fsync', 'pagecache'] as const) {
        for (const partitions of SAMSA_PARTITIONS) {
          for (const acks of [1, -1]) {
            // 1,000 partitions: the scaling check, durable default and acks=1 only.
            if (partitions === MANY_PARTITIONS && (durability !== 'fsync' || acks !== 1)) continue;
            const ids = samsaIds({ recordSize: size, durability, partitions, acks });
            if (wanted(ids.produce) || wanted(ids.consume)) log(`  ${ids.produce}`);
            await settled('samsa', () => samsaJob({ recordSize: size, durability, partitions, acks }));
          }
        }
        if (useKcat) {
          if (wanted(`kcat/produce/${size}B/${durability}/`)) log(`  kcat ${size}B ${durability}`);
          await settled('samsa', () => kcatJob(size, durability, 1));
        }
      }
      if (kafka) {
        for (const partitions of [1, 6]) {
          for (const acks of [1, -1]) {
            for (const flush of flags['skip-kafka-flush'] ? [false] : [false, true]) {
              const id = kafkaProduceId(size, partitions, acks, flush);
              if (wanted(id)) log(`  ${id}`);
              await settled('kafka', () => kafkaJob(kafka, size, partitions, acks, flush));
            }
          }
        }
      }
    }
    if (!flags['skip-perf-test']) {
      for (const w of PERF_WORKLOADS) {
        await settled('samsa', () => perfToolJob(w, 'samsa', kafka));
        await settled('samsa', () => perfToolJob(w, 'samsa-pagecache', kafka));
        if (kafka) {
          await settled('kafka', () => perfToolJob(w, 'kafka', kafka));
          if (!flags['skip-kafka-flush']) await settled('kafka', () => perfToolJob(w, 'kafka-flush1', kafka));
        }
      }
    }
    for (const rate of LATENCY_RATES) {
      await settled('baseline', () => baselineLatencyJob(rate));
      await settled('samsa', () => samsaLatencyJob(rate, 'fsync'));
      await settled('samsa', () => samsaLatencyJob(rate, 'pagecache'));
      if (kafka) {
        await settled('kafka', () => kafkaLatencyJob(kafka, rate, false));
        if (!flags['skip-kafka-flush']) await settled('kafka', () => kafkaLatencyJob(kafka, rate, true));
      }
    }
    await settled('samsa', () => producersJob(kafka, 'samsa'));
    await settled('kafka', () => producersJob(kafka, 'kafka'));
    for (const size of RECOVERY_SIZES_MIB) await settled('samsa', () => recoveryJob(size, 'default'));
    for (const size of RECOVERY_SIZES_MIB) await settled('samsa', () => recoveryJob(size, 'seg128MB'));
    if (flags['recovery-checkpointed']) {
      for (const size of RECOVERY_SIZES_MIB)
        await settled('samsa', () => recoveryJob(size, 'seg128MB-checkpointed'));
    }
  }
}

async function report(started: number): Promise<void> {
  const startupFigures = flags['skip-startup'] ? undefined : await startup();
  const diskFigures = wanted('baseline/disk') ? await diskProbe() : undefined;
  const info = machine();
  const throughput = renderThroughput();
  const report = [
    `Samsa benchmark, ${new Date().toISOString()}, ${REPS} repetition(s) of ${DURATION_MS} ms (at most ${flags['row-mib']} MiB) per produce run`,
    `machine: ${info.nproc} cores (${info.cpu}), ${info.memory}, node ${info.node}, commit ${info.commit}` +
      (info.dirtySrc !== '0' ? ` (+${info.dirtySrc} uncommitted files in src/)` : ''),
    ...(Object.keys(SAMSA_SETTINGS).length > 0
      ? [
          `Samsa settings from --samsa-set: ${Object.entries(SAMSA_SETTINGS)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        ]
      : []),
    ...(SAMSA_NODE_ARGS.length > 0
      ? [`Samsa node options from --samsa-node-arg: ${SAMSA_NODE_ARGS.join(' ')}`]
      : []),
    '',
    throughput,
    '',
    renderPerfTool(),
    '',
    renderLatency(),
    '',
    renderRecovery(),
    '',
    startupFigures ? renderStartup(startupFigures) : '',
    '',
    diskFigures ? renderDisk(diskFigures) : '',
    '',
    'Targets (docs/benchmarks.md), medians of this run:',
    '',
    renderTargets(
      checkTargets(
        resultsForTargets({
          rows: [...rows.values()],
          perfTool: [...perfRows.values()],
          latency: [...latencyRows.values()],
          recovery: [...recoveryRows.values()],
          startup: startupFigures,
        }),
      ),
    ),
    '',
    `total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n');
  console.log(report);
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const json = `${JSON.stringify(
    {
      machine: info,
      settings: {
        reps: REPS,
        durationMs: DURATION_MS,
        connections: CONNECTIONS,
        inFlight: IN_FLIGHT,
        RECORDS_PER_BATCH,
        perfTool: {
          mibPerRun: PERF_MIB,
          warmupShare: PERF_WARMUP_SHARE,
          lingerMs: PERF_LINGER_MS,
          batchSize: PERF_BATCH_SIZE,
        },
        kafkaFlushConfig: KAFKA_FLUSH_CONFIG,
      },
      rows: [...rows.values()],
      perfTool: [...perfRows.values()],
      latency: [...latencyRows.values()],
      recovery: [...recoveryRows.values()],
      startup: startupFigures,
      disk: diskFigures,
      markdown: report,
    },
    null,
    2,
  )}\n`;
  writeFileSync(file, json);
  log(`wrote ${file}`);
  // The charts are drawn from the JSON as written, exactly as bench/charts.ts redraws them.
  const results = resultsForCharts(JSON.parse(json));
  const chartDirs = [file.slice(0, -'.json'.length), ...(flags['charts-dir'] ? [flags['charts-dir']] : [])];
  for (const dir of chartDirs) {
    const written = writeCharts(results, dir);
    log(written.length > 0 ? `wrote ${written.length} charts into ${dir}` : 'no rows to chart');
  }
}

try {
  await main();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
