/**
 * Topic-level log configuration: Kafka's topic config names, types, defaults and validators, the
 * broker-level setting each one falls back to (`log.retention.hours` for `retention.ms`, ...), and
 * the resolution of a topic's effective config (topic override > broker setting > default) with
 * the source of every value, for DescribeConfigs and for the storage engine (`toLogOptions`).
 *
 * The broker-level log settings are defined here too (`BROKER_LOG_KEYS`), so the mapping between
 * the two lives in one file; the broker schema includes them.
 */
import {
  atLeast,
  between,
  ConfigDef,
  type ConfigDescription,
  ConfigException,
  ConfigSource,
  type ConfigSynonym,
  type ConfigValues,
  custom,
  define,
  LONG_MAX,
  listOf,
  oneOf,
  type RawConfigValue,
} from '../util/config-def.js';
import type { ConfigLookup, SourcedValue } from '../util/config-layers.js';
import type {
  CleanupPolicy,
  Durability,
  FsyncMethod,
  LogOptions,
  MessageTimestampType,
} from './log-options.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
const CLEANUP_POLICIES = ['compact', 'delete'] as const;

const gzipLevel = custom<number>('[1,...,9] or -1', (value) =>
  value === -1 || (value >= 1 && value <= 9) ? undefined : 'Value must be -1 or between 1 and 9',
);

/** `*` or a list of `partition:brokerId` pairs (Kafka's throttled-replicas syntax). */
const throttledReplicas = custom<string[]>(
  '[partitionId]:[brokerId],[partitionId]:[brokerId],... or *',
  (value) => {
    if (value.length === 1 && value[0] === '*') return undefined;
    const bad = value.find((item) => !/^\d+:\d+$/.test(item));
    return bad === undefined
      ? undefined
      : `"${bad}" is not of the form partitionId:brokerId (or the list is not "*")`;
  },
);

export const TOPIC_CONFIG_KEYS = {
  'cleanup.policy': define('list', ['delete'], {
    doc: 'What happens to old segments: "delete" removes them by retention, "compact" keeps the latest record per key; both may be given.',
    importance: 'medium',
    validator: listOf(CLEANUP_POLICIES, { nonEmpty: true }),
  }),
  'compression.type': define('string', 'producer', {
    doc: 'Codec batches are stored with; "producer" keeps whatever codec the producer used.',
    validator: oneOf(...COMPRESSION_TYPES),
  }),
  'compression.gzip.level': define('int', -1, {
    doc: 'Level used when the broker recompresses with gzip (-1: the codec default).',
    validator: gzipLevel,
  }),
  'compression.lz4.level': define('int', 9, {
    doc: 'Level used when the broker recompresses with lz4.',
    validator: between(1, 17),
  }),
  'compression.zstd.level': define('int', 3, {
    doc: 'Level used when the broker recompresses with zstd.',
    validator: between(-131072, 22),
  }),
  'delete.retention.ms': define('long', DAY_MS, {
    doc: 'How long compaction keeps a tombstone, so that consumers can see the delete.',
    validator: atLeast(0),
  }),
  'file.delete.delay.ms': define('long', 60_000, {
    doc: 'How long the files of a deleted segment linger before removal.',
    validator: atLeast(0),
  }),
  'flush.messages': define('long', LONG_MAX, {
    doc: 'In pagecache durability, fsync the log after this many messages.',
    validator: atLeast(1),
  }),
  'flush.ms': define('long', LONG_MAX, {
    doc: 'In pagecache durability, fsync the log when unflushed data is this old.',
    validator: atLeast(0),
  }),
  'follower.replication.throttled.replicas': define('list', [], {
    doc: 'Replicas whose follower-side replication is throttled.',
    validator: throttledReplicas,
  }),
  'index.interval.bytes': define('int', 4096, {
    doc: 'Bytes of log between two entries of the offset index.',
    validator: atLeast(0),
  }),
  'leader.replication.throttled.replicas': define('list', [], {
    doc: 'Replicas whose leader-side replication is throttled.',
    validator: throttledReplicas,
  }),
  'local.retention.bytes': define('long', -2, {
    doc: 'Tiered storage: bytes kept locally (-2: same as retention.bytes). Accepted; tiered storage is not implemented.',
    validator: atLeast(-2),
  }),
  'local.retention.ms': define('long', -2, {
    doc: 'Tiered storage: time data is kept locally (-2: same as retention.ms). Accepted; tiered storage is not implemented.',
    validator: atLeast(-2),
  }),
  'max.compaction.lag.ms': define('long', LONG_MAX, {
    doc: 'Longest time a record may stay uncompacted.',
    validator: atLeast(1),
  }),
  'max.message.bytes': define('int', 1048588, {
    doc: 'Largest record batch the topic accepts (after compression).',
    importance: 'medium',
    validator: atLeast(0),
  }),
  'message.downconversion.enable': define('boolean', true, {
    doc: 'Whether old fetch versions may get down-converted batches. Accepted; Samsa serves only the v2 format.',
    importance: 'low',
  }),
  'message.timestamp.after.max.ms': define('long', LONG_MAX, {
    doc: 'With CreateTime, reject batches whose timestamp is further than this in the future.',
    validator: atLeast(0),
  }),
  'message.timestamp.before.max.ms': define('long', LONG_MAX, {
    doc: 'With CreateTime, reject batches whose timestamp is further than this in the past.',
    validator: atLeast(0),
  }),
  'message.timestamp.difference.max.ms': define('long', LONG_MAX, {
    doc: 'Largest allowed difference between a batch timestamp and the broker clock.',
    validator: atLeast(0),
    deprecated: 'use message.timestamp.before.max.ms and message.timestamp.after.max.ms.',
  }),
  'message.timestamp.type': define('string', 'CreateTime', {
    doc: "Whether record timestamps are the producer's (CreateTime) or the broker's append time (LogAppendTime).",
    validator: oneOf(...TIMESTAMP_TYPES),
  }),
  'min.cleanable.dirty.ratio': define('double', 0.5, {
    doc: 'Compact when at least this share of the log has not been compacted yet.',
    validator: between(0, 1),
  }),
  'min.compaction.lag.ms': define('long', 0, {
    doc: 'Shortest time a record stays uncompacted.',
    validator: atLeast(0),
  }),
  'min.insync.replicas': define('int', 1, {
    doc: 'With acks=all, the fewest in-sync replicas that must have a write for it to succeed.',
    importance: 'medium',
    validator: atLeast(1),
  }),
  preallocate: define('boolean', false, {
    doc: 'Preallocate the file of a new segment.',
    importance: 'low',
  }),
  'remote.storage.enable': define('boolean', false, {
    doc: 'Tiered storage for the topic. Accepted; must stay false, tiered storage is not implemented.',
    validator: custom<boolean>('false', (value) =>
      value ? 'Tiered storage is not supported by Samsa' : undefined,
    ),
  }),
  'retention.bytes': define('long', -1, {
    doc: 'Largest size of a partition before old segments are deleted (-1: no limit).',
  }),
  'retention.ms': define('long', 7 * DAY_MS, {
    doc: 'How long segments are kept before deletion (-1: forever).',
    validator: atLeast(-1),
  }),
  'segment.bytes': define('int', 1024 * 1024 * 1024, {
    doc: 'Size at which a segment is closed and a new one started.',
    validator: atLeast(14),
  }),
  'segment.index.bytes': define('int', 10 * 1024 * 1024, {
    doc: 'Size of the index files of each segment.',
    validator: atLeast(4),
  }),
  'segment.jitter.ms': define('long', 0, {
    doc: 'Largest random amount subtracted from segment.ms, so segments do not all roll together.',
    validator: atLeast(0),
  }),
  'segment.ms': define('long', 7 * DAY_MS, {
    doc: 'Age at which a segment is closed and a new one started, even when not full.',
    validator: atLeast(1),
  }),
  'unclean.leader.election.enable': define('boolean', false, {
    doc: 'Whether an out-of-sync replica may become leader when no in-sync one is left (may lose data).',
  }),
} as const;

export type TopicConfigSchema = typeof TOPIC_CONFIG_KEYS;
export type TopicConfigName = keyof TopicConfigSchema & string;
export type TopicConfigValues = ConfigValues<TopicConfigSchema>;
export type TopicConfigOverrides = Partial<TopicConfigValues>;

export const TOPIC_CONFIG = new ConfigDef(TOPIC_CONFIG_KEYS);

/** Broker-level log settings: the defaults of the topic configs. All may change at runtime. */
export const BROKER_LOG_KEYS = {
  'log.cleanup.policy': define('list', ['delete'], {
    doc: 'Default cleanup.policy of topics.',
    validator: listOf(CLEANUP_POLICIES, { nonEmpty: true }),
    dynamic: true,
  }),
  'compression.type': define('string', 'producer', {
    doc: 'Default compression.type of topics.',
    importance: 'high',
    validator: oneOf(...COMPRESSION_TYPES),
    dynamic: true,
  }),
  'compression.gzip.level': define('int', -1, {
    doc: 'Default compression.gzip.level of topics.',
    validator: gzipLevel,
    dynamic: true,
  }),
  'compression.lz4.level': define('int', 9, {
    doc: 'Default compression.lz4.level of topics.',
    validator: between(1, 17),
    dynamic: true,
  }),
  'compression.zstd.level': define('int', 3, {
    doc: 'Default compression.zstd.level of topics.',
    validator: between(-131072, 22),
    dynamic: true,
  }),
  'log.cleaner.delete.retention.ms': define('long', DAY_MS, {
    doc: 'Default delete.retention.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'log.cleaner.max.compaction.lag.ms': define('long', LONG_MAX, {
    doc: 'Default max.compaction.lag.ms of topics.',
    validator: atLeast(1),
    dynamic: true,
  }),
  'log.cleaner.min.cleanable.ratio': define('double', 0.5, {
    doc: 'Default min.cleanable.dirty.ratio of topics.',
    validator: between(0, 1),
    dynamic: true,
  }),
  'log.cleaner.min.compaction.lag.ms': define('long', 0, {
    doc: 'Default min.compaction.lag.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'log.flush.interval.messages': define('long', LONG_MAX, {
    doc: 'Default flush.messages of topics.',
    validator: atLeast(1),
    dynamic: true,
  }),
  'log.flush.interval.ms': define('long', null, {
    doc: 'Default flush.ms of topics; when unset, log.flush.scheduler.interval.ms is used.',
    dynamic: true,
  }),
  'log.flush.scheduler.interval.ms': define('long', LONG_MAX, {
    doc: 'How often the flusher checks whether a log needs flushing, and the fallback for log.flush.interval.ms.',
  }),
  'log.index.interval.bytes': define('int', 4096, {
    doc: 'Default index.interval.bytes of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'log.index.size.max.bytes': define('int', 10 * 1024 * 1024, {
    doc: 'Default segment.index.bytes of topics.',
    validator: atLeast(4),
    dynamic: true,
  }),
  'log.local.retention.bytes': define('long', -2, {
    doc: 'Default local.retention.bytes of topics.',
    validator: atLeast(-2),
    dynamic: true,
  }),
  'log.local.retention.ms': define('long', -2, {
    doc: 'Default local.retention.ms of topics.',
    validator: atLeast(-2),
    dynamic: true,
  }),
  'log.message.downconversion.enable': define('boolean', true, {
    doc: 'Default message.downconversion.enable of topics.',
    importance: 'low',
    dynamic: true,
  }),
  'log.message.timestamp.after.max.ms': define('long', LONG_MAX, {
    doc: 'Default message.timestamp.after.max.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'log.message.timestamp.before.max.ms': define('long', LONG_MAX, {
    doc: 'Default message.timestamp.before.max.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'log.message.timestamp.difference.max.ms': define('long', LONG_MAX, {
    doc: 'Default message.timestamp.difference.max.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
    deprecated: 'use log.message.timestamp.before.max.ms and log.message.timestamp.after.max.ms.',
  }),
  'log.message.timestamp.type': define('string', 'CreateTime', {
    doc: 'Default message.timestamp.type of topics.',
    validator: oneOf(...TIMESTAMP_TYPES),
    dynamic: true,
  }),
  'log.preallocate': define('boolean', false, {
    doc: 'Default preallocate of topics.',
    importance: 'low',
    dynamic: true,
  }),
  'log.retention.bytes': define('long', -1, {
    doc: 'Default retention.bytes of topics.',
    importance: 'high',
    dynamic: true,
  }),
  'log.retention.hours': define('int', 168, {
    doc: 'Default retention of topics in hours; log.retention.minutes and log.retention.ms take precedence.',
    importance: 'high',
  }),
  'log.retention.minutes': define('int', null, {
    doc: 'Default retention of topics in minutes; log.retention.ms takes precedence.',
    importance: 'high',
    synonyms: ['log.retention.hours'],
  }),
  'log.retention.ms': define('long', null, {
    doc: 'Default retention.ms of topics (-1: forever); takes precedence over minutes and hours.',
    importance: 'high',
    dynamic: true,
    synonyms: ['log.retention.minutes', 'log.retention.hours'],
  }),
  'log.roll.hours': define('int', 168, {
    doc: 'Default segment.ms of topics, in hours; log.roll.ms takes precedence.',
    importance: 'high',
    validator: atLeast(1),
  }),
  'log.roll.jitter.hours': define('int', 0, {
    doc: 'Default segment.jitter.ms of topics, in hours; log.roll.jitter.ms takes precedence.',
    validator: atLeast(0),
  }),
  'log.roll.jitter.ms': define('long', null, {
    doc: 'Default segment.jitter.ms of topics.',
    dynamic: true,
    synonyms: ['log.roll.jitter.hours'],
  }),
  'log.roll.ms': define('long', null, {
    doc: 'Default segment.ms of topics.',
    importance: 'high',
    dynamic: true,
    synonyms: ['log.roll.hours'],
  }),
  'log.segment.bytes': define('int', 1024 * 1024 * 1024, {
    doc: 'Default segment.bytes of topics.',
    importance: 'high',
    validator: atLeast(14),
    dynamic: true,
  }),
  'log.segment.delete.delay.ms': define('long', 60_000, {
    doc: 'Default file.delete.delay.ms of topics.',
    validator: atLeast(0),
    dynamic: true,
  }),
  'message.max.bytes': define('int', 1048588, {
    doc: 'Default max.message.bytes of topics: the largest record batch accepted.',
    importance: 'high',
    validator: atLeast(0),
    dynamic: true,
  }),
  'min.insync.replicas': define('int', 1, {
    doc: 'Default min.insync.replicas of topics.',
    importance: 'high',
    validator: atLeast(1),
    dynamic: true,
  }),
  'unclean.leader.election.enable': define('boolean', false, {
    doc: 'Default unclean.leader.election.enable of topics.',
    importance: 'high',
    dynamic: true,
  }),
} as const;

interface BrokerSynonym {
  /** Broker config name. */
  readonly name: keyof typeof BROKER_LOG_KEYS & string;
  /** Multiplier from the broker value's unit to the topic value's (hours to ms). */
  readonly scale?: number;
}

/**
 * For each topic config, the broker settings it falls back to, in Kafka's precedence order: the
 * first one with a value wins (so log.retention.ms > log.retention.minutes > log.retention.hours,
 * whatever layer each was set in).
 */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Record<TopicConfigName, readonly BrokerSynonym[]>> = {
  'cleanup.policy': [{ name: 'log.cleanup.policy' }],
  'compression.type': [{ name: 'compression.type' }],
  'compression.gzip.level': [{ name: 'compression.gzip.level' }],
  'compression.lz4.level': [{ name: 'compression.lz4.level' }],
  'compression.zstd.level': [{ name: 'compression.zstd.level' }],
  'delete.retention.ms': [{ name: 'log.cleaner.delete.retention.ms' }],
  'file.delete.delay.ms': [{ name: 'log.segment.delete.delay.ms' }],
  'flush.messages': [{ name: 'log.flush.interval.messages' }],
  'flush.ms': [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
  'follower.replication.throttled.replicas': [],
  'index.interval.bytes': [{ name: 'log.index.interval.bytes' }],
  'leader.replication.throttled.replicas': [],
  'local.retention.bytes': [{ name: 'log.local.retention.bytes' }],
  'local.retention.ms': [{ name: 'log.local.retention.ms' }],
  'max.compaction.lag.ms': [{ name: 'log.cleaner.max.compaction.lag.ms' }],
  'max.message.bytes': [{ name: 'message.max.bytes' }],
  'message.downconversion.enable': [{ name: 'log.message.downconversion.enable' }],
  'message.timestamp.after.max.ms': [{ name: 'log.message.timestamp.after.max.ms' }],
  'message.timestamp.before.max.ms': [{ name: 'log.message.timestamp.before.max.ms' }],
  'message.timestamp.difference.max.ms': [{ name: 'log.message.timestamp.difference.max.ms' }],
  'message.timestamp.type': [{ name: 'log.message.timestamp.type' }],
  'min.cleanable.dirty.ratio': [{ name: 'log.cleaner.min.cleanable.ratio' }],
  'min.compaction.lag.ms': [{ name: 'log.cleaner.min.compaction.lag.ms' }],
  'min.insync.replicas': [{ name: 'min.insync.replicas' }],
  preallocate: [{ name: 'log.preallocate' }],
  'remote.storage.enable': [],
  'retention.bytes': [{ name: 'log.retention.bytes' }],
  'retention.ms': [
    { name: 'log.retention.ms' },
    { name: 'log.retention.minutes', scale: 60_000 },
    { name: 'log.retention.hours', scale: HOUR_MS },
  ],
  'segment.bytes': [{ name: 'log.segment.bytes' }],
  'segment.index.bytes': [{ name: 'log.index.size.max.bytes' }],
  'segment.jitter.ms': [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', scale: HOUR_MS }],
  'segment.ms': [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', scale: HOUR_MS }],
  'unclean.leader.election.enable': [{ name: 'unclean.leader.election.enable' }],
};

/**
 * Parses and validates topic config overrides (CreateTopics, AlterConfigs). Unknown names and
 * invalid values throw a ConfigException naming each config.
 */
export function parseTopicConfigs(
  raw: Readonly<Record<string, RawConfigValue>> | ReadonlyMap<string, RawConfigValue>,
): TopicConfigOverrides {
  return TOPIC_CONFIG.parsePartial(raw);
}

/** Cross-field checks Kafka makes on a topic's effective config. */
export function checkTopicConfig(values: TopicConfigValues): void {
  if (values['min.compaction.lag.ms'] > values['max.compaction.lag.ms']) {
    throw new ConfigException({
      name: 'min.compaction.lag.ms',
      message: `Invalid value for configuration min.compaction.lag.ms: it must not exceed max.compaction.lag.ms (${values['max.compaction.lag.ms']})`,
    });
  }
}

/** A topic's resolved configuration. */
export interface EffectiveTopicConfig {
  readonly values: TopicConfigValues;
  sourceOf(name: TopicConfigName): ConfigSource;
  /** DescribeConfigs entries for `names` (default: all topic configs). */
  describe(names?: readonly string[], includeSynonyms?: boolean): ConfigDescription[];
}

interface Resolved {
  value: unknown;
  source: ConfigSource;
  synonyms: ConfigSynonym[];
}

/**
 * Resolves every topic config from the topic's overrides, then the broker settings it falls back
 * to (per TOPIC_CONFIG_SYNONYMS, from any broker layer: dynamic per-broker, dynamic cluster default,
 * static), then the topic schema's default.
 */
export function effectiveTopicConfig(
  broker: ConfigLookup,
  overrides: TopicConfigOverrides = {},
): EffectiveTopicConfig {
  const resolved = new Map<TopicConfigName, Resolved>();
  for (const name of TOPIC_CONFIG.names) {
    const synonyms: ConfigSynonym[] = [];
    const candidates: SourcedValue[] = [];
    const override = overrides[name];
    if (override !== undefined && override !== null) {
      candidates.push({ value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      synonyms.push({
        name,
        value: TOPIC_CONFIG.format(name, override),
        source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      });
    }
    for (const synonym of TOPIC_CONFIG_SYNONYMS[name]) {
      for (const found of broker.lookup(synonym.name)) {
        if (found.value === null || found.value === undefined) continue;
        const scaled =
          synonym.scale !== undefined ? scaleValue(found.value as number, synonym.scale) : found.value;
        candidates.push({ value: scaled, source: found.source });
        synonyms.push({ name: synonym.name, value: formatBrokerValue(found.value), source: found.source });
      }
    }
    const first = candidates[0];
    let value = first ? first.value : TOPIC_CONFIG.defaultOf(name);
    if (
      name === 'retention.ms' &&
      first?.source !== ConfigSource.DYNAMIC_TOPIC_CONFIG &&
      (value as number) < 0
    ) {
      value = -1; // a negative broker retention means "forever", as in Kafka
    }
    resolved.set(name, { value, source: first ? first.source : ConfigSource.DEFAULT_CONFIG, synonyms });
  }
  const values = Object.freeze(
    Object.fromEntries([...resolved].map(([name, entry]) => [name, entry.value])),
  ) as TopicConfigValues;
  return {
    values,
    sourceOf: (name) => resolved.get(name)?.source ?? ConfigSource.DEFAULT_CONFIG,
    describe(names, includeSynonyms = true) {
      return (names ?? TOPIC_CONFIG.names)
        .filter((name): name is TopicConfigName => TOPIC_CONFIG.has(name))
        .map((name) => {
          const entry = resolved.get(name)!;
          const description = TOPIC_CONFIG.describe(
            name,
            entry.value,
            entry.source,
            includeSynonyms ? entry.synonyms : [],
          );
          return { ...description, readOnly: false };
        });
    },
  };
}

function scaleValue(value: number, scale: number): number {
  const scaled = value * scale;
  return Number.isSafeInteger(scaled) ? scaled : scaled > 0 ? LONG_MAX : -LONG_MAX;
}

function formatBrokerValue(value: unknown): string | null {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number' && value >= LONG_MAX) return '9223372036854775807';
  return value === null || value === undefined ? null : String(value);
}

/** Settings of a topic's partition logs beyond the storage engine's LogOptions. */
export interface TopicLogOptions extends LogOptions {
  segmentJitterMs: number;
  preallocate: boolean;
  compressionType: (typeof COMPRESSION_TYPES)[number];
  messageTimestampBeforeMaxMs: number;
  messageTimestampAfterMaxMs: number;
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
}

/** The plain typed options the storage engine takes, from a topic's resolved config. */
export function toLogOptions(
  values: TopicConfigValues,
  durability: Durability = 'fsync',
  fsyncMethod: FsyncMethod = 'dsync',
): TopicLogOptions {
  const policies = values['cleanup.policy'];
  const compact = policies.includes('compact');
  const cleanupPolicy: CleanupPolicy = compact
    ? policies.includes('delete')
      ? 'compact,delete'
      : 'compact'
    : 'delete';
  const difference = values['message.timestamp.difference.max.ms'];
  return {
    segmentBytes: values['segment.bytes'],
    segmentMs: values['segment.ms'],
    segmentIndexBytes: values['segment.index.bytes'],
    indexIntervalBytes: values['index.interval.bytes'],
    retentionMs: values['retention.ms'],
    retentionBytes: values['retention.bytes'],
    cleanupPolicy,
    deleteRetentionMs: values['delete.retention.ms'],
    minCompactionLagMs: values['min.compaction.lag.ms'],
    maxCompactionLagMs: values['max.compaction.lag.ms'],
    minCleanableDirtyRatio: values['min.cleanable.dirty.ratio'],
    flushMessages: values['flush.messages'],
    flushMs: values['flush.ms'],
    durability,
    fsyncMethod,
    maxMessageBytes: values['max.message.bytes'],
    messageTimestampType: values['message.timestamp.type'] as MessageTimestampType,
    fileDeleteDelayMs: values['file.delete.delay.ms'],
    segmentJitterMs: values['segment.jitter.ms'],
    preallocate: values.preallocate,
    compressionType: values['compression.type'] as TopicLogOptions['compressionType'],
    // The deprecated difference bound still applies when it is the tighter one, as in Kafka 3.x.
    messageTimestampBeforeMaxMs: Math.min(values['message.timestamp.before.max.ms'], difference),
    messageTimestampAfterMaxMs: Math.min(values['message.timestamp.after.max.ms'], difference),
    minInsyncReplicas: values['min.insync.replicas'],
    uncleanLeaderElectionEnable: values['unclean.leader.election.enable'],
  };
}
