/**
 * Broker configuration: Kafka's broker config names and defaults, plus Samsa's own under `samsa.`.
 *
 * Sources, later wins: schema defaults < server.properties (Java properties syntax) < `KAFKA_*`
 * environment variables (mapped as the Confluent images do) < `--set name=value` overrides. All of
 * these are "static" for DescribeConfigs; dynamic broker configs (AlterConfigs, kept by the
 * metadata store) are layered on top with `BrokerConfig.withDynamic`.
 *
 * Unknown names in the file or in --set are errors; unknown names from the environment are only
 * warnings, since container environments carry unrelated KAFKA_* variables.
 */
import { readFileSync } from 'node:fs';
import { assignorNameOf } from '../coordinator/consumer-group/assignors.js';
import {
  BROKER_LOG_KEYS,
  type EffectiveTopicConfig,
  effectiveTopicConfig,
  type TopicConfigOverrides,
} from '../storage/log-config.js';
import {
  atLeast,
  between,
  ConfigDef,
  ConfigException,
  type ConfigProblem,
  ConfigSource,
  type ConfigValues,
  custom,
  define,
  INT_MAX,
  oneOf,
  type RawConfigValue,
} from '../util/config-def.js';
import { type ConfigLayer, LayeredConfig } from '../util/config-layers.js';
import { parseProperties } from '../util/properties.js';

const LISTENER_PATTERN = /^([A-Za-z0-9_-]+):\/\/(\[[0-9a-fA-F:.%a-zA-Z]*\]|[0-9a-zA-Z\-%._]*):(\d+)$/;

const DEFAULT_PROTOCOL_MAP = [
  'PLAINTEXT:PLAINTEXT',
  'SSL:SSL',
  'SASL_PLAINTEXT:SASL_PLAINTEXT',
  'SASL_SSL:SASL_SSL',
];

const listenerList = custom<string[]>('comma-separated NAME://host:port', (value) => {
  for (const item of value) {
    if (!LISTENER_PATTERN.test(item)) return `"${item}" is not of the form NAME://host:port`;
  }
  return undefined;
});

const BROKER_OWN_KEYS = {
  'node.id': define('int', 1, {
    doc: 'Id of this broker in the cluster.',
    importance: 'high',
    validator: atLeast(0),
    synonyms: ['broker.id'],
  }),
  'broker.id': define('int', null, {
    doc: 'Older name of node.id; if both are set they must be equal.',
    importance: 'high',
    validator: atLeast(0),
  }),
  'broker.rack': define('string', null, { doc: 'Rack (or zone) of this broker, reported in Metadata.' }),
  'cluster.id': define('string', null, {
    doc: 'Samsa: cluster id written to meta.properties when a data directory is first formatted; must match afterwards.',
    validator: custom<string>('22 characters of base64url', (value) =>
      /^[A-Za-z0-9_-]{22}$/.test(value) ? undefined : 'A cluster id is 16 bytes in base64url: 22 characters',
    ),
  }),
  listeners: define('list', ['PLAINTEXT://:9092'], {
    doc: 'Addresses to listen on, as NAME://host:port; an empty host binds all interfaces.',
    importance: 'high',
    validator: listenerList,
  }),
  'advertised.listeners': define('list', null, {
    doc: 'Addresses given to clients, if different from listeners; names must appear in listeners.',
    importance: 'high',
    validator: listenerList,
  }),
  'listener.security.protocol.map': define('list', DEFAULT_PROTOCOL_MAP, {
    doc: 'Security protocol of each listener name, as NAME:PROTOCOL pairs; Samsa serves PLAINTEXT only.',
    validator: custom<string[]>('NAME:PROTOCOL,...', (value) => {
      const bad = value.find((item) => !/^[A-Za-z0-9_-]+:[A-Za-z_]+$/.test(item));
      return bad === undefined ? undefined : `"${bad}" is not of the form NAME:PROTOCOL`;
    }),
  }),
  'inter.broker.listener.name': define('string', null, {
    doc: 'Listener other brokers use to reach this one; defaults to the first listener.',
  }),
  'security.inter.broker.protocol': define('string', 'PLAINTEXT', {
    doc: 'Security protocol between brokers.',
    validator: oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'),
    informational: true,
  }),
  'process.roles': define('list', [], { doc: 'KRaft roles.', informational: true, importance: 'low' }),
  'controller.listener.names': define('list', [], {
    doc: 'KRaft controller listener names.',
    informational: true,
    importance: 'low',
  }),
  'controller.quorum.voters': define('list', [], {
    doc: 'KRaft controller quorum.',
    informational: true,
    importance: 'low',
  }),
  'log.dirs': define('list', null, {
    doc: 'Directories holding the data; takes precedence over log.dir.',
    importance: 'high',
    synonyms: ['log.dir'],
  }),
  'log.dir': define('string', './data', {
    doc: 'Directory holding the data, used when log.dirs is not set (Samsa default ./data).',
    importance: 'high',
  }),
  'num.partitions': define('int', 1, {
    doc: 'Partition count of auto-created topics and of topics created without one.',
    validator: atLeast(1),
  }),
  'default.replication.factor': define('int', 1, {
    doc: 'Replication factor of auto-created topics and of topics created without one.',
    validator: atLeast(1),
  }),
  'auto.create.topics.enable': define('boolean', true, {
    doc: 'Create a topic when a client asks for metadata of one that does not exist.',
    importance: 'high',
  }),
  'delete.topic.enable': define('boolean', true, { doc: 'Allow deleting topics.', importance: 'high' }),
  'socket.request.max.bytes': define('int', 104857600, {
    doc: 'Largest request accepted; bigger ones close the connection.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'socket.send.buffer.bytes': define('int', 102400, {
    doc: 'SO_SNDBUF of client sockets (-1: the OS default).',
    importance: 'high',
  }),
  'socket.receive.buffer.bytes': define('int', 102400, {
    doc: 'SO_RCVBUF of client sockets (-1: the OS default).',
    importance: 'high',
  }),
  'connections.max.idle.ms': define('long', 600000, { doc: 'Close connections idle for longer than this.' }),
  'max.connections': define('int', INT_MAX, {
    doc: 'Most client connections the broker accepts at once.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'max.connections.per.ip': define('int', INT_MAX, {
    doc: 'Most connections accepted from one IP address.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'queued.max.requests': define('int', 500, {
    doc: 'Requests that may wait for processing before reading from sockets pauses.',
    validator: atLeast(1),
  }),
  'num.network.threads': define('int', 3, {
    doc: 'Network threads.',
    validator: atLeast(1),
    informational: true,
    dynamic: true,
  }),
  'num.io.threads': define('int', 8, {
    doc: 'Request handler threads.',
    validator: atLeast(1),
    informational: true,
    dynamic: true,
  }),
  'background.threads': define('int', 10, {
    doc: 'Background task threads.',
    validator: atLeast(1),
    informational: true,
    dynamic: true,
  }),
  'num.recovery.threads.per.data.dir': define('int', 1, {
    doc: 'Threads per data directory for log recovery at startup.',
    validator: atLeast(1),
    informational: true,
    dynamic: true,
  }),
  'num.replica.fetchers': define('int', 1, {
    doc: 'Fetcher threads replicating from each source broker.',
    informational: true,
    dynamic: true,
  }),
  'log.retention.check.interval.ms': define('long', 300000, {
    doc: 'How often logs are checked for segments to delete by retention.',
    validator: atLeast(1),
  }),
  'log.flush.offset.checkpoint.interval.ms': define('int', 60000, {
    doc: "How often every log's recovery point is written to recovery-point-offset-checkpoint (also the log start offsets).",
    validator: atLeast(1),
  }),
  'samsa.recovery.checkpoint.bytes': define('long', 16 * 1024 * 1024, {
    doc: 'Samsa: a log whose recovery point has moved this many bytes since its last checkpoint is checkpointed within 0.2 s, so that recovery after a crash scans at most about this much (plus 0.2 s of writes) per partition, whatever the log size; 0 only checkpoints on the interval.',
    validator: atLeast(0),
  }),
  'log.cleaner.enable': define('boolean', true, { doc: 'Run the log cleaner (needed by compacted topics).' }),
  'log.cleaner.threads': define('int', 1, {
    doc: 'Log cleaner threads.',
    validator: atLeast(0),
    informational: true,
    dynamic: true,
  }),
  'log.cleaner.backoff.ms': define('long', 15000, {
    doc: 'How long the cleaner sleeps when there is nothing to clean.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'offsets.topic.num.partitions': define('int', 50, {
    doc: 'Partition count of the internal committed-offsets topic (fixed once created).',
    importance: 'high',
    validator: atLeast(1),
  }),
  'offsets.topic.replication.factor': define('short', 3, {
    doc: 'Replication factor of the internal committed-offsets topic.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'offsets.topic.segment.bytes': define('int', 104857600, {
    doc: 'Segment size of the internal committed-offsets topic.',
    validator: atLeast(1),
  }),
  'offsets.retention.minutes': define('int', 10080, {
    doc: 'How long committed offsets of an empty group are kept.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'offsets.retention.check.interval.ms': define('long', 600000, {
    doc: 'How often expired committed offsets are removed.',
    validator: atLeast(1),
  }),
  'transaction.state.log.num.partitions': define('int', 50, {
    doc: 'Partition count of the internal transaction state topic.',
    validator: atLeast(1),
  }),
  'transaction.state.log.replication.factor': define('short', 3, {
    doc: 'Replication factor of the internal transaction state topic.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'transaction.state.log.min.isr': define('int', 2, {
    doc: 'min.insync.replicas of the internal transaction state topic.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'transaction.max.timeout.ms': define('int', 900000, {
    doc: 'Largest transaction timeout a producer may ask for.',
    validator: atLeast(1),
  }),
  'transactional.id.expiration.ms': define('int', 604800000, {
    doc: 'How long an idle transactional id is remembered.',
    validator: atLeast(1),
  }),
  'producer.id.expiration.ms': define('int', 86400000, {
    doc: 'How long the state of an idle idempotent producer is kept.',
    validator: atLeast(1),
    dynamic: true,
  }),
  'group.initial.rebalance.delay.ms': define('int', 3000, {
    doc: 'How long a new group waits for more members before its first rebalance.',
  }),
  'group.min.session.timeout.ms': define('int', 6000, {
    doc: 'Smallest session timeout a consumer may ask for.',
  }),
  'group.max.session.timeout.ms': define('int', 1800000, {
    doc: 'Largest session timeout a consumer may ask for.',
  }),
  'group.max.size': define('int', INT_MAX, {
    doc: 'Most members in one consumer group.',
    validator: atLeast(1),
  }),
  'group.consumer.session.timeout.ms': define('int', 45000, {
    doc: 'KIP-848 consumer groups: a member not heard from for this long is removed.',
    validator: atLeast(1),
  }),
  'group.consumer.heartbeat.interval.ms': define('int', 5000, {
    doc: 'KIP-848 consumer groups: how often members are told to heartbeat.',
    validator: atLeast(1),
  }),
  'group.consumer.max.size': define('int', INT_MAX, {
    doc: 'KIP-848 consumer groups: most members in one group.',
    validator: atLeast(1),
  }),
  'group.consumer.assignors': define('list', ['uniform', 'range'], {
    doc: "KIP-848 consumer groups: the server-side assignors members may choose (uniform, range, or Kafka's class names of them); the first is the default.",
    validator: custom<string[]>('non-empty list of uniform, range', (value) => {
      if (value.length === 0) return 'Empty list is not allowed';
      const unknown = value.find((name) => !['uniform', 'range'].includes(assignorNameOf(name)));
      return unknown === undefined ? undefined : `Unknown assignor ${unknown}`;
    }),
  }),
  'zookeeper.connect': define('string', null, {
    doc: 'ZooKeeper connection string (host:port,.../chroot); set to run as part of a multi-broker cluster.',
    importance: 'high',
  }),
  'zookeeper.session.timeout.ms': define('int', 18000, {
    doc: 'ZooKeeper session timeout.',
    importance: 'high',
  }),
  'zookeeper.connection.timeout.ms': define('int', null, {
    doc: 'How long to wait for a ZooKeeper connection; zookeeper.session.timeout.ms when unset.',
    importance: 'high',
  }),
  'replica.lag.time.max.ms': define('long', 30000, {
    doc: 'A follower that has not caught up for this long leaves the ISR.',
    importance: 'high',
  }),
  'replica.fetch.max.bytes': define('int', 1048576, {
    doc: 'Bytes a follower asks for per partition in each fetch.',
    validator: atLeast(0),
  }),
  'replica.fetch.wait.max.ms': define('int', 500, { doc: 'Longest wait of a follower fetch for new data.' }),
  'replica.fetch.min.bytes': define('int', 1, { doc: 'Fewest bytes a follower fetch waits for.' }),
  'replica.socket.timeout.ms': define('int', 30000, { doc: 'Socket timeout of follower fetches.' }),
  'controlled.shutdown.enable': define('boolean', true, {
    doc: 'Move leadership away before shutting down.',
  }),
  'samsa.durability': define('string', 'fsync', {
    doc: 'Samsa: "fsync" acknowledges writes once fsynced (group commit); "pagecache" acknowledges after the write, like Kafka.',
    importance: 'high',
    validator: oneOf('fsync', 'pagecache'),
  }),
  'samsa.fsync.method': define('string', 'dsync', {
    doc: 'Samsa, with samsa.durability=fsync: "dsync" writes each append with O_DSYNC (write and sync in one system call); "fdatasync" writes, then fsyncs in a group commit.',
    validator: oneOf('dsync', 'fdatasync'),
  }),
  'samsa.threads.sched.batch': define('boolean', false, {
    doc: "Samsa, `samsa start` on Linux: once the broker listens, put its helper threads (libuv's pool, which runs the synced log writes, and V8's) under SCHED_BATCH, so that a thread woken for a write does not preempt the event loop. Measured to help produce spread over several partitions and to cost produce to one partition (docs/design.md), so off by default. No effect on a broker started in-process with startBroker().",
  }),
  'fetch.max.bytes': define('int', 57671680, {
    doc: "Most bytes in the answer to a consumer's fetch: a request whose max_bytes is larger is read with this instead (follower fetches are not capped). The first batch of the first partition with data still comes whole (KIP-74).",
    validator: atLeast(1024),
  }),
  'samsa.fetch.sendfile.min.bytes': define('int', -1, {
    doc: "Samsa: in a fetch of several partitions, a partition's part of the response of at least this many bytes goes from the log file to the socket with sendfile (Linux, plain TCP), without being read into the broker's memory; smaller parts, and fetches of one partition (served by read-ahead), are read and copied. -1 (the default) never uses sendfile: which way is faster depends on the kernel and machine (docs/design.md); 65536 turns it on for parts of 64 KiB or more.",
    validator: atLeast(-1),
  }),
  'samsa.http.port': define('int', 8080, {
    doc: 'Samsa: reserved for the HTTP server (web UI, REST, metrics, health), which this version does not start: nothing listens on it yet. Validated so that configs that set it load.',
    validator: between(0, 65535),
  }),
  'samsa.in.memory': define('boolean', false, {
    doc: 'Samsa: keep all data in memory instead of the data directories (for tests; lost on exit).',
  }),
} as const;

export const BROKER_CONFIG_KEYS = { ...BROKER_LOG_KEYS, ...BROKER_OWN_KEYS } as const;
export type BrokerConfigSchema = typeof BROKER_CONFIG_KEYS;
export type BrokerConfigName = keyof BrokerConfigSchema & string;
export type BrokerConfigValues = ConfigValues<BrokerConfigSchema>;
export const BROKER_CONFIG = new ConfigDef(BROKER_CONFIG_KEYS);

/** A parsed listener (`NAME://host:port`). An empty host means all interfaces. */
export interface Listener {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/** Parses listener strings with the security protocol map; listener names must be unique. */
export function parseListeners(
  name: string,
  entries: readonly string[],
  protocolMap: readonly string[],
): Listener[] {
  const protocols = new Map(
    protocolMap.map((pair) => {
      const [listenerName, protocol] = pair.split(':') as [string, string];
      return [listenerName.toUpperCase(), protocol.toUpperCase()];
    }),
  );
  const listeners: Listener[] = [];
  for (const entry of entries) {
    const match = LISTENER_PATTERN.exec(entry);
    if (!match) throw ConfigException.invalid(name, entry, 'Expected NAME://host:port');
    const listenerName = match[1]!.toUpperCase();
    const host = match[2]!.startsWith('[') ? match[2]!.slice(1, -1) : match[2]!;
    const port = Number(match[3]);
    if (port > 65535) throw ConfigException.invalid(name, entry, `Port ${port} is out of range`);
    const securityProtocol = protocols.get(listenerName);
    if (securityProtocol === undefined) {
      throw ConfigException.invalid(
        name,
        entry,
        `No security protocol for listener ${listenerName} in listener.security.protocol.map`,
      );
    }
    if (listeners.some((listener) => listener.name === listenerName)) {
      throw ConfigException.invalid(
        name,
        entries,
        `Each listener must have a different name: ${listenerName} repeats`,
      );
    }
    listeners.push({ name: listenerName, host, port, securityProtocol });
  }
  return listeners;
}

/** Environment variables that the images use for the JVM and logging, not for broker config. */
const ENV_NOT_CONFIG = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_DEBUG',
  'KAFKA_VERSION',
  'KAFKA_HOME',
  'KAFKA_CLASSPATH',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
]);
const ENV_NOT_CONFIG_PREFIXES = ['KAFKA_JMX_', 'KAFKA_LOG4J_'];

/**
 * The Confluent images' mapping of an environment variable to a config name: strip `KAFKA_`,
 * lower-case, `_` -> `.`, then `___` (now `...`) -> `-` and `__` (now `..`) -> `_`.
 * Returns undefined for variables that are not broker config.
 */
export function envNameToConfigName(variable: string): string | undefined {
  if (variable === 'CLUSTER_ID') return 'cluster.id'; // the apache/kafka and Confluent images' own variable
  if (!variable.startsWith('KAFKA_') || ENV_NOT_CONFIG.has(variable)) return undefined;
  if (ENV_NOT_CONFIG_PREFIXES.some((prefix) => variable.startsWith(prefix))) return undefined;
  const dotted = variable.slice('KAFKA_'.length).toLowerCase().split('_').join('.');
  return dotted.split('...').join('-').split('..').join('_');
}

export interface EnvConfig {
  values: Map<string, string>;
  /** Variables that map to no known config, with the name they mapped to. */
  warnings: string[];
}

export function brokerConfigFromEnv(env: Readonly<Record<string, string | undefined>>): EnvConfig {
  const values = new Map<string, string>();
  const warnings: string[] = [];
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (value === undefined) continue;
    const name = envNameToConfigName(variable);
    if (name === undefined) continue;
    if (!BROKER_CONFIG.has(name)) {
      warnings.push(
        `Ignoring environment variable ${variable}: "${name}" is not a known broker configuration`,
      );
      continue;
    }
    values.set(name, value);
  }
  return { values, warnings };
}

export interface LoadBrokerConfigOptions {
  /** Path of a server.properties file. */
  file?: string;
  /** Contents of a server.properties file (instead of `file`). */
  properties?: string;
  /** Environment to read KAFKA_* variables from; pass `process.env` explicitly (default: none). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `--set` overrides: "name=value" strings or a name-to-value object. */
  overrides?: readonly string[] | Readonly<Record<string, RawConfigValue>>;
}

/** Loads, merges and validates the static broker config. Throws a ConfigException on any error. */
export function loadBrokerConfig(options: LoadBrokerConfigOptions = {}): BrokerConfig {
  const problems: ConfigProblem[] = [];
  const merged: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  const apply = (where: string, raw: Iterable<[string, RawConfigValue]>, unknownIsError: boolean) => {
    for (const [name, value] of raw) {
      if (!BROKER_CONFIG.has(name)) {
        if (unknownIsError) problems.push(prefixed(where, BROKER_CONFIG.unknownProblem(name)));
        continue;
      }
      try {
        merged[name] = BROKER_CONFIG.parseValue(name, value);
        origin.set(name, where);
      } catch (error) {
        if (!(error instanceof ConfigException)) throw error;
        problems.push(...error.problems.map((problem) => prefixed(where, problem)));
      }
    }
  };

  if (options.properties !== undefined) apply('server properties', parseProperties(options.properties), true);
  if (options.file !== undefined) {
    apply(options.file, parseProperties(readFileSync(options.file, 'utf8')), true);
  }
  const env = options.env
    ? brokerConfigFromEnv(options.env)
    : { values: new Map<string, string>(), warnings: [] };
  apply('environment', env.values, false);
  if (options.overrides !== undefined) apply('--set', overrideEntries(options.overrides, problems), true);
  if (problems.length > 0) throw new ConfigException(problems);

  // broker.id is the older name of node.id: either may be given, but not two different values.
  const brokerId = merged['broker.id'];
  if (brokerId !== undefined && brokerId !== null) {
    if (merged['node.id'] === undefined) merged['node.id'] = brokerId;
    else if (merged['node.id'] !== brokerId) {
      throw new ConfigException({
        name: 'broker.id',
        message: `broker.id (${String(brokerId)}) and node.id (${String(merged['node.id'])}) must be equal when both are set`,
      });
    }
  }
  return new BrokerConfig(
    new LayeredConfig(BROKER_CONFIG, [{ source: ConfigSource.STATIC_BROKER_CONFIG, values: merged }]),
    env.warnings,
  );
}

function prefixed(where: string, problem: ConfigProblem): ConfigProblem {
  return { name: problem.name, message: `${problem.message} (from ${where})` };
}

function overrideEntries(
  overrides: readonly string[] | Readonly<Record<string, RawConfigValue>>,
  problems: ConfigProblem[],
): [string, RawConfigValue][] {
  if (!Array.isArray(overrides)) return Object.entries(overrides as Record<string, RawConfigValue>);
  const entries: [string, RawConfigValue][] = [];
  for (const item of overrides as readonly string[]) {
    const equals = item.indexOf('=');
    if (equals <= 0) {
      problems.push({ name: item, message: `Expected name=value after --set, got "${item}"` });
      continue;
    }
    entries.push([item.slice(0, equals).trim(), item.slice(equals + 1)]);
  }
  return entries;
}

/** Dynamic broker configs as stored: per-broker values and cluster-wide defaults (strings). */
export interface DynamicBrokerConfigs {
  perBroker?: Readonly<Record<string, string>>;
  clusterDefault?: Readonly<Record<string, string>>;
}

/**
 * Checks configs given to AlterConfigs/IncrementalAlterConfigs for a broker: known, valid, and
 * updatable at runtime. Returns the typed values.
 */
export function validateDynamicBrokerConfigs(
  raw: Readonly<Record<string, RawConfigValue>>,
): Partial<BrokerConfigValues> {
  const parsed = BROKER_CONFIG.parsePartial(raw);
  const readOnly = Object.keys(parsed).filter((name) => !BROKER_CONFIG.key(name)!.dynamic);
  if (readOnly.length > 0) {
    throw new ConfigException(
      readOnly.map((name) => ({
        name,
        message: `Cannot update configuration ${name} dynamically: it is read-only`,
      })),
    );
  }
  return parsed;
}

/** The resolved broker config: typed values by Kafka name, derived settings, and sources. */
export class BrokerConfig {
  readonly config: LayeredConfig<BrokerConfigSchema>;
  readonly values: BrokerConfigValues;
  /** Non-fatal problems (unknown KAFKA_* variables, listeners that are not served). */
  readonly warnings: readonly string[];
  readonly nodeId: number;
  readonly clusterId: string | null;
  readonly rack: string | null;
  readonly listeners: readonly Listener[];
  /** What clients are told; an empty host is replaced by the broker's host name at startup. */
  readonly advertisedListeners: readonly Listener[];
  readonly logDirs: readonly string[];
  readonly durability: 'fsync' | 'pagecache';
  readonly fsyncMethod: 'dsync' | 'fdatasync';
  readonly httpPort: number;
  readonly inMemory: boolean;
  readonly zookeeperConnect: string | null;

  constructor(config: LayeredConfig<BrokerConfigSchema>, warnings: readonly string[] = []) {
    this.config = config;
    const values = config.values;
    this.values = values;
    this.nodeId = values['node.id'];
    this.clusterId = values['cluster.id'];
    this.rack = values['broker.rack'];
    const protocolMap = values['listener.security.protocol.map'];
    this.listeners = Object.freeze(parseListeners('listeners', values.listeners, protocolMap));
    const advertised = values['advertised.listeners'];
    this.advertisedListeners = Object.freeze(
      advertised === null ? this.listeners : parseListeners('advertised.listeners', advertised, protocolMap),
    );
    for (const listener of this.advertisedListeners) {
      if (!this.listeners.some((bound) => bound.name === listener.name)) {
        throw ConfigException.invalid(
          'advertised.listeners',
          advertised,
          `Listener ${listener.name} is advertised but not in listeners`,
        );
      }
      if (advertised !== null && (listener.host === '0.0.0.0' || listener.host === '::')) {
        throw ConfigException.invalid(
          'advertised.listeners',
          advertised,
          `Cannot advertise the meta-address ${listener.host}`,
        );
      }
    }
    const extraWarnings = this.listeners
      .filter((listener) => listener.securityProtocol !== 'PLAINTEXT')
      .map(
        (listener) =>
          `Listener ${listener.name} uses ${listener.securityProtocol}, which Samsa does not serve`,
      );
    this.warnings = Object.freeze([...warnings, ...extraWarnings]);
    this.logDirs = Object.freeze(values['log.dirs'] ?? [values['log.dir']]);
    this.durability = values['samsa.durability'] as 'fsync' | 'pagecache';
    this.fsyncMethod = values['samsa.fsync.method'] as 'dsync' | 'fdatasync';
    this.httpPort = values['samsa.http.port'];
    this.inMemory = values['samsa.in.memory'];
    this.zookeeperConnect = values['zookeeper.connect'];
  }

  get<K extends BrokerConfigName>(name: K): BrokerConfigValues[K] {
    return this.values[name];
  }

  /** This config with dynamic broker configs layered on top (validated; read-only names are errors). */
  withDynamic(dynamic: DynamicBrokerConfigs): BrokerConfig {
    const layers: ConfigLayer[] = [
      {
        source: ConfigSource.DYNAMIC_BROKER_CONFIG,
        values: validateDynamicBrokerConfigs(dynamic.perBroker ?? {}),
      },
      {
        source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        values: validateDynamicBrokerConfigs(dynamic.clusterDefault ?? {}),
      },
      ...this.config.layers.filter(
        (layer) =>
          layer.source !== ConfigSource.DYNAMIC_BROKER_CONFIG &&
          layer.source !== ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      ),
    ];
    return new BrokerConfig(
      new LayeredConfig(BROKER_CONFIG, layers),
      this.warnings.filter((w) => !w.startsWith('Listener ')),
    );
  }

  /** The effective config of a topic with these overrides, for the log and for DescribeConfigs. */
  topicConfig(overrides: TopicConfigOverrides = {}): EffectiveTopicConfig {
    return effectiveTopicConfig(this.config, overrides);
  }
}
