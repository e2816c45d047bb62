import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { FileSystem } from '../storage/fs.js';
import { TOPIC_CONFIG } from '../storage/log-config.js';
import { ConfigException } from '../util/config-def.js';
import { randomUuid } from '../util/uuid.js';
import { removeLeftoverTemp, writeFileAtomic } from './atomic-file.js';
import { MetadataError } from './errors.js';
import { ensureMetaProperties } from './meta-properties.js';
import {
  type BrokerConfigsImage,
  type BrokerRegistration,
  MetadataImage,
  type PartitionImage,
  type TopicImage,
} from './metadata-image.js';
import { INTERNAL_TOPICS, validateTopicName } from './topic-name.js';

/**
 * The single-node metadata store: the cluster image kept in the data directory.
 *
 * On disk (in `dir`):
 *   meta.properties        Kafka's format: version=1, cluster.id, node.id, directory.id
 *   samsa-metadata.json    the topics and dynamic configs, as one snapshot, replaced atomically
 *
 * Why a snapshot rather than a log: metadata changes are rare (topic creation, config changes)
 * and small, so rewriting the whole state each time costs little and leaves one simple file.
 * Each change writes `samsa-metadata.json.tmp`, fsyncs it, renames it over the old file and
 * fsyncs the directory; a crash leaves either the old or the new state, and at most a leftover
 * `.tmp` file, which opening removes. The file is two lines: the state as JSON, then
 * `sha256=<hex of the first line>`, so a damaged file is detected rather than half-read.
 *
 * A change is visible (in `image` and to listeners) only once it is durable. Changes run one at
 * a time in call order. Brokers are not persisted: in single-node mode the image's only broker is
 * this one, registered at open from the given address.
 */
export const METADATA_FILE = 'samsa-metadata.json';
const FORMAT_VERSION = 1;

export type MetadataChange =
  | { type: 'topic-created'; topic: TopicImage }
  | { type: 'topic-deleted'; topic: TopicImage }
  | { type: 'partitions-created'; topic: TopicImage; previousCount: number }
  | { type: 'topic-configs-altered'; topic: TopicImage }
  | { type: 'broker-configs-altered'; brokerId: number | null }
  | { type: 'broker-registered'; broker: BrokerRegistration };

export type MetadataListener = (
  image: MetadataImage,
  previous: MetadataImage,
  change: MetadataChange,
) => void;

export interface LocalMetadataStoreOptions {
  fs: FileSystem;
  /** The data directory (the first of log.dirs). */
  dir: string;
  nodeId: number;
  /** Cluster id to format a new directory with; must match an existing one. Random when absent. */
  clusterId?: string | null;
  /** This broker's advertised address. */
  broker?: { host: string; port: number; rack?: string | null };
  /** Checks dynamic broker configs (the broker schema lives above this layer); throws ConfigException. */
  validateBrokerConfigs?: (configs: Readonly<Record<string, string>>) => void;
  /** Called when a change listener throws; the change itself stays committed. */
  onListenerError?: (error: unknown) => void;
  /** Random bytes, for tests that need stable ids. */
  random?: (size: number) => Buffer;
}

export interface CreateTopicOptions {
  /** Number of partitions; leave out (or -1) when `assignments` is given. */
  partitions?: number;
  /** Replication factor; leave out (or -1) when `assignments` is given. */
  replicationFactor?: number;
  /** Explicit replica broker ids for each partition, in partition order. */
  assignments?: readonly (readonly number[])[];
  /** Topic config overrides in Kafka's string syntax. */
  configs?: Readonly<Record<string, string>>;
  /** Check everything, change nothing. */
  validateOnly?: boolean;
}

/** `replace` sets exactly the given overrides (AlterConfigs); `merge` changes only the given ones, null deleting (IncrementalAlterConfigs). */
export type AlterMode = 'replace' | 'merge';

interface StoredState {
  version: number;
  topics: TopicImage[];
  brokerConfigs: {
    clusterDefault: Record<string, string>;
    perBroker: Record<string, Record<string, string>>;
  };
}

export class LocalMetadataStore {
  private current: MetadataImage;
  private readonly listeners = new Set<MetadataListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: LocalMetadataStoreOptions,
    image: MetadataImage,
  ) {
    this.current = image;
  }

  /** Opens the store in `options.dir`, formatting the directory on first use. */
  static async open(options: LocalMetadataStoreOptions): Promise<LocalMetadataStore> {
    const { fs, dir, nodeId } = options;
    const meta = await ensureMetaProperties(fs, dir, {
      nodeId,
      clusterId: options.clusterId ?? null,
      ...(options.random ? { random: options.random } : {}),
    });
    const path = posix.join(dir, METADATA_FILE);
    await removeLeftoverTemp(fs, path);
    const state = (await fs.exists(path)) ? decodeState(path, await fs.readFile(path)) : undefined;
    const brokers: BrokerRegistration[] = options.broker
      ? [
          {
            id: nodeId,
            host: options.broker.host,
            port: options.broker.port,
            rack: options.broker.rack ?? null,
          },
        ]
      : [];
    const image = new MetadataImage({
      clusterId: meta.clusterId,
      controllerId: nodeId,
      brokers,
      topics: state?.topics ?? [],
      ...(state ? { brokerConfigs: toBrokerConfigsImage(state.brokerConfigs) } : {}),
    });
    return new LocalMetadataStore(options, image);
  }

  get image(): MetadataImage {
    return this.current;
  }

  /** Calls `listener` after every committed change; returns a function that unsubscribes. */
  onChange(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  createTopic(name: string, options: CreateTopicOptions): Promise<TopicImage> {
    return this.run(async (image) => {
      validateTopicName(name);
      if (image.topic(name))
        throw new MetadataError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
      const colliding = image.collidingTopic(name);
      if (colliding) {
        throw new MetadataError(
          'INVALID_TOPIC_EXCEPTION',
          `Topic '${name}' collides with existing topic: ${colliding.name} (names may differ in '.' and '_' only)`,
        );
      }
      const assignments = options.assignments
        ? this.checkAssignments(image, options, 0)
        : this.assignReplicas(image, options.partitions ?? -1, options.replicationFactor ?? -1, 0);
      const configs = checkTopicConfigs(options.configs ?? {});
      const topic: TopicImage = {
        name,
        topicId: this.newTopicId(image),
        internal: INTERNAL_TOPICS.has(name),
        partitions: assignments.map((replicas, index) => newPartition(index, replicas)),
        configs,
      };
      if (options.validateOnly) return topic;
      const next = image.withTopic(topic);
      await this.commit(next, { type: 'topic-created', topic: next.topic(name)! });
      return next.topic(name)!;
    });
  }

  deleteTopic(name: string): Promise<TopicImage> {
    return this.run(async (image) => {
      const topic = requireTopic(image, name);
      await this.commit(image.withoutTopic(name), { type: 'topic-deleted', topic });
      return topic;
    });
  }

  deleteTopicById(topicId: string): Promise<TopicImage> {
    return this.run(async (image) => {
      const topic = image.topicById(topicId);
      if (!topic) throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `No topic with id ${topicId}.`);
      await this.commit(image.withoutTopic(topic.name), { type: 'topic-deleted', topic });
      return topic;
    });
  }

  /** Grows `name` to `totalCount` partitions (never shrinks), with the topic's replication factor. */
  createPartitions(
    name: string,
    totalCount: number,
    options: { assignments?: readonly (readonly number[])[]; validateOnly?: boolean } = {},
  ): Promise<TopicImage> {
    return this.run(async (image) => {
      const topic = requireTopic(image, name);
      const current = topic.partitions.length;
      if (totalCount === current) {
        throw new MetadataError('INVALID_PARTITIONS', `Topic already has ${current} partitions.`);
      }
      if (totalCount < current) {
        throw new MetadataError(
          'INVALID_PARTITIONS',
          `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`,
        );
      }
      const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
      let added: number[][];
      if (options.assignments) {
        if (options.assignments.length !== totalCount - current) {
          throw new MetadataError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Increasing the number of partitions by ${totalCount - current} but ${options.assignments.length} assignments provided.`,
          );
        }
        added = this.checkAssignments(image, { assignments: options.assignments }, current);
        if (added.some((replicas) => replicas.length !== replicationFactor)) {
          throw new MetadataError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Each new partition needs ${replicationFactor} replicas, as the existing ones have.`,
          );
        }
      } else {
        added = this.assignReplicas(image, totalCount - current, replicationFactor, current);
      }
      const updated: TopicImage = {
        ...topic,
        partitions: [
          ...topic.partitions,
          ...added.map((replicas, index) => newPartition(current + index, replicas)),
        ],
      };
      if (options.validateOnly) return updated;
      const next = image.withTopic(updated);
      await this.commit(next, {
        type: 'partitions-created',
        topic: next.topic(name)!,
        previousCount: current,
      });
      return next.topic(name)!;
    });
  }

  alterTopicConfigs(
    name: string,
    configs: Readonly<Record<string, string | null>>,
    options: { mode?: AlterMode; validateOnly?: boolean } = {},
  ): Promise<TopicImage> {
    return this.run(async (image) => {
      const topic = requireTopic(image, name);
      const merged = mergeConfigs(topic.configs, configs, options.mode ?? 'replace');
      const updated: TopicImage = { ...topic, configs: checkTopicConfigs(merged) };
      if (options.validateOnly) return updated;
      const next = image.withTopic(updated);
      await this.commit(next, { type: 'topic-configs-altered', topic: next.topic(name)! });
      return next.topic(name)!;
    });
  }

  /** Sets dynamic broker configs of broker `brokerId`, or the cluster-wide defaults when null. */
  alterBrokerConfigs(
    brokerId: number | null,
    configs: Readonly<Record<string, string | null>>,
    options: { mode?: AlterMode; validateOnly?: boolean } = {},
  ): Promise<Readonly<Record<string, string>>> {
    return this.run(async (image) => {
      const existing =
        brokerId === null
          ? image.brokerConfigs.clusterDefault
          : (image.brokerConfigs.perBroker.get(brokerId) ?? {});
      const merged = mergeConfigs(existing, configs, options.mode ?? 'replace');
      try {
        this.options.validateBrokerConfigs?.(merged);
      } catch (error) {
        if (error instanceof ConfigException)
          throw new MetadataError('INVALID_CONFIG', error.message, { cause: error });
        throw error;
      }
      if (options.validateOnly) return merged;
      const perBroker = new Map(image.brokerConfigs.perBroker);
      if (brokerId !== null) {
        if (Object.keys(merged).length === 0) perBroker.delete(brokerId);
        else perBroker.set(brokerId, merged);
      }
      const brokerConfigs: BrokerConfigsImage = {
        clusterDefault: brokerId === null ? merged : image.brokerConfigs.clusterDefault,
        perBroker,
      };
      await this.commit(image.withBrokerConfigs(brokerConfigs), { type: 'broker-configs-altered', brokerId });
      return merged;
    });
  }

  /** Registers (or updates) a broker in the in-memory image; not persisted. */
  registerBroker(broker: BrokerRegistration): Promise<void> {
    return this.run(async (image) => {
      const next = image.withBroker(broker);
      this.publish(next, image, { type: 'broker-registered', broker });
    });
  }

  /** Waits for pending changes, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.listeners.clear();
  }

  private run<T>(operation: (image: MetadataImage) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the metadata store is closed'));
    const result = this.queue.then(() => operation(this.current));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async commit(next: MetadataImage, change: MetadataChange): Promise<void> {
    const path = posix.join(this.options.dir, METADATA_FILE);
    await writeFileAtomic(this.options.fs, path, encodeState(next));
    this.publish(next, this.current, change);
  }

  private publish(next: MetadataImage, previous: MetadataImage, change: MetadataChange): void {
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next, previous, change);
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
  }

  private newTopicId(image: MetadataImage): string {
    for (;;) {
      const id = randomUuid(this.options.random);
      if (!image.topicById(id)) return id;
    }
  }

  /** Replica lists for `count` new partitions, spread round-robin over the registered brokers. */
  private assignReplicas(
    image: MetadataImage,
    count: number,
    replicationFactor: number,
    firstIndex: number,
  ): number[][] {
    if (!Number.isInteger(count) || count < 1) {
      throw new MetadataError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
    }
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
      throw new MetadataError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0.');
    }
    const brokers = this.liveBrokerIds(image);
    if (replicationFactor > brokers.length) {
      throw new MetadataError(
        'INVALID_REPLICATION_FACTOR',
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`,
      );
    }
    return Array.from({ length: count }, (_, offset) =>
      Array.from(
        { length: replicationFactor },
        (_, replica) => brokers[(firstIndex + offset + replica) % brokers.length]!,
      ),
    );
  }

  private checkAssignments(
    image: MetadataImage,
    options: Pick<CreateTopicOptions, 'assignments' | 'partitions' | 'replicationFactor'>,
    firstIndex: number,
  ): number[][] {
    const assignments = options.assignments!;
    if ((options.partitions ?? -1) !== -1 || (options.replicationFactor ?? -1) !== -1) {
      throw new MetadataError(
        'INVALID_REQUEST',
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    if (assignments.length === 0) {
      throw new MetadataError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
    }
    const live = new Set(this.liveBrokerIds(image));
    const size = assignments[0]!.length;
    return assignments.map((replicas, offset) => {
      const index = firstIndex + offset;
      if (replicas.length === 0) {
        throw new MetadataError(
          'INVALID_REPLICA_ASSIGNMENT',
          `The manual partition assignment for partition ${index} is empty.`,
        );
      }
      if (replicas.length !== size) {
        throw new MetadataError(
          'INVALID_REPLICA_ASSIGNMENT',
          `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not consistent with previous partitions, which have ${size} replica(s).`,
        );
      }
      if (new Set(replicas).size !== replicas.length) {
        throw new MetadataError(
          'INVALID_REPLICA_ASSIGNMENT',
          `The manual partition assignment for partition ${index} contains duplicate replicas.`,
        );
      }
      const missing = replicas.find((broker) => !live.has(broker));
      if (missing !== undefined) {
        throw new MetadataError(
          'INVALID_REPLICA_ASSIGNMENT',
          `The manual partition assignment includes broker ${missing}, but no such broker is registered.`,
        );
      }
      return [...replicas];
    });
  }

  private liveBrokerIds(image: MetadataImage): number[] {
    const ids = [...image.brokers.keys()];
    if (ids.length === 0) ids.push(this.options.nodeId);
    return ids.sort((a, b) => a - b);
  }
}

function newPartition(partition: number, replicas: readonly number[]): PartitionImage {
  return {
    partition,
    leader: replicas[0] ?? -1,
    leaderEpoch: 0,
    replicas,
    isr: replicas,
    offlineReplicas: [],
  };
}

function requireTopic(image: MetadataImage, name: string): TopicImage {
  const topic = image.topic(name);
  if (!topic)
    throw new MetadataError('UNKNOWN_TOPIC_OR_PARTITION', `This server does not host this topic: ${name}.`);
  return topic;
}

function mergeConfigs(
  existing: Readonly<Record<string, string>>,
  changes: Readonly<Record<string, string | null>>,
  mode: AlterMode,
): Record<string, string> {
  const merged: Record<string, string> = mode === 'merge' ? { ...existing } : {};
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** Validates topic overrides against the topic schema; INVALID_CONFIG names the offending config. */
function checkTopicConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
  try {
    TOPIC_CONFIG.parsePartial(configs);
  } catch (error) {
    if (error instanceof ConfigException)
      throw new MetadataError('INVALID_CONFIG', error.message, { cause: error });
    throw error;
  }
  return { ...configs };
}

function encodeState(image: MetadataImage): Buffer {
  const state: StoredState = {
    version: FORMAT_VERSION,
    topics: [...image.topics.values()],
    brokerConfigs: {
      clusterDefault: { ...image.brokerConfigs.clusterDefault },
      perBroker: Object.fromEntries(
        [...image.brokerConfigs.perBroker].map(([id, configs]) => [String(id), { ...configs }]),
      ),
    },
  };
  const json = JSON.stringify(state);
  return Buffer.from(`${json}\nsha256=${sha256(json)}\n`, 'utf8');
}

export class MetadataCorruptError extends Error {
  readonly code = 'ERR_METADATA_CORRUPT' as const;
  constructor(path: string, reason: string) {
    super(`${path} is damaged: ${reason}`);
    this.name = 'MetadataCorruptError';
  }
}

function decodeState(path: string, data: Buffer): StoredState {
  const [json, checksumLine] = data.toString('utf8').split('\n');
  if (json === undefined || checksumLine !== `sha256=${sha256(json)}`) {
    throw new MetadataCorruptError(path, 'checksum mismatch');
  }
  const state = JSON.parse(json) as StoredState;
  if (state.version !== FORMAT_VERSION)
    throw new MetadataCorruptError(path, `unknown format version ${state.version}`);
  if (!Array.isArray(state.topics)) throw new MetadataCorruptError(path, 'no topic list');
  return state;
}

function toBrokerConfigsImage(stored: StoredState['brokerConfigs']): BrokerConfigsImage {
  return {
    clusterDefault: stored.clusterDefault ?? {},
    perBroker: new Map(Object.entries(stored.perBroker ?? {}).map(([id, configs]) => [Number(id), configs])),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
