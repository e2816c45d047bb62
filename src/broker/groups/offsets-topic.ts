/**
 * The internal topic `__consumer_offsets`, where the group coordinator keeps committed offsets and
 * group metadata. Created on first use (a FindCoordinator for a group, or the first write), as
 * Kafka does, with `offsets.topic.num.partitions` partitions and `cleanup.policy=compact`.
 *
 * Replication factor: Kafka refuses to create the topic until `offsets.topic.replication.factor`
 * (default 3) brokers are alive, which a single node never satisfies; we cap it at the number of
 * live brokers and log a warning instead. The per-topic index size is kept small
 * (SEGMENT_INDEX_BYTES): the default 10 MiB preallocated per index and partition would cost 1 GiB
 * for 50 partitions of an in-memory broker, and a 100 MiB offsets segment needs far less.
 */
import type { MetadataImage, TopicImage } from '../../metadata/metadata-image.js';
import type { PartitionLog } from '../../storage/log/partition-log.js';
import type { BrokerConfig } from '../config.js';
import type { NetLogger } from '../net/logger.js';
import type { TopicManager } from '../topics.js';
import { OFFSETS_TOPIC, partitionForGroup } from './group-partition.js';

/** Room for 32768 offset-index entries: a 128 MiB segment at the default index interval. */
const SEGMENT_INDEX_BYTES = 256 * 1024;

/** What the offsets topic needs of the broker. */
export interface OffsetsTopicDeps {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly logger: NetLogger;
  readonly topics: TopicManager;
  image(): MetadataImage;
}

export class OffsetsTopicError extends Error {
  constructor(
    message: string,
    /** The Kafka error code of the storage layer (UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER). */
    readonly errorCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OffsetsTopicError';
  }
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_LEADER_OR_FOLLOWER = 6;

export class OffsetsTopic {
  private creating: Promise<TopicImage> | undefined;

  constructor(private readonly broker: OffsetsTopicDeps) {}

  get name(): string {
    return OFFSETS_TOPIC;
  }

  /** The topic if it exists. */
  topic(): TopicImage | undefined {
    return this.broker.image().topic(OFFSETS_TOPIC);
  }

  /** The partition count of the topic, or the configured one while it does not exist yet. */
  get partitionCount(): number {
    return this.topic()?.partitions.length ?? this.broker.config.get('offsets.topic.num.partitions');
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.partitionCount);
  }

  /** Whether this broker leads the partition of `groupId` (or will, once it creates the topic). */
  ownsGroup(groupId: string): boolean {
    const topic = this.topic();
    if (!topic) return true;
    return (
      topic.partitions[partitionForGroup(groupId, topic.partitions.length)]?.leader === this.broker.brokerId
    );
  }

  /** The topic, created now if it does not exist; concurrent callers share one creation. */
  ensure(): Promise<TopicImage> {
    const existing = this.topic();
    if (existing) return Promise.resolve(existing);
    this.creating ??= this.create().finally(() => {
      this.creating = undefined;
    });
    return this.creating;
  }

  private async create(): Promise<TopicImage> {
    const { config, logger } = this.broker;
    const partitions = config.get('offsets.topic.num.partitions');
    const wanted = config.get('offsets.topic.replication.factor');
    const live = Math.max(1, this.broker.image().brokers.size);
    const replicationFactor = Math.min(wanted, live);
    if (replicationFactor < wanted) {
      logger.warn(
        { topic: OFFSETS_TOPIC, wanted, live },
        `offsets.topic.replication.factor=${wanted} exceeds the ${live} live broker(s): creating ${OFFSETS_TOPIC} with replication factor ${replicationFactor}`,
      );
    }
    try {
      const topic = await this.broker.topics.createTopic(OFFSETS_TOPIC, {
        partitions,
        replicationFactor,
        configs: {
          'cleanup.policy': 'compact',
          'compression.type': 'producer',
          'segment.bytes': String(config.get('offsets.topic.segment.bytes')),
          'segment.index.bytes': String(SEGMENT_INDEX_BYTES),
        },
      });
      logger.info({ topic: OFFSETS_TOPIC, partitions, replicationFactor }, `created ${OFFSETS_TOPIC}`);
      return topic;
    } catch (error) {
      const now = this.topic();
      if (now) return now;
      throw error;
    }
  }

  /** The local log of the partition holding `groupId`, creating the topic first if needed. */
  async logFor(groupId: string): Promise<{ log: PartitionLog; leaderEpoch: number }> {
    let topic: TopicImage;
    try {
      topic = await this.ensure();
    } catch (error) {
      throw new OffsetsTopicError(`cannot create ${OFFSETS_TOPIC}`, UNKNOWN_TOPIC_OR_PARTITION, {
        cause: error,
      });
    }
    const index = partitionForGroup(groupId, topic.partitions.length);
    const partition = topic.partitions[index]!;
    const log = this.broker.topics.log(OFFSETS_TOPIC, index);
    if (partition.leader !== this.broker.brokerId || log === undefined) {
      throw new OffsetsTopicError(`${OFFSETS_TOPIC}-${index} is not led here`, NOT_LEADER_OR_FOLLOWER);
    }
    return { log, leaderEpoch: partition.leaderEpoch };
  }

  /** The local logs of the partitions this broker leads, in partition order. */
  ledLogs(): PartitionLog[] {
    const topic = this.topic();
    if (!topic) return [];
    const logs: PartitionLog[] = [];
    for (const partition of topic.partitions) {
      if (partition.leader !== this.broker.brokerId) continue;
      const log = this.broker.topics.log(OFFSETS_TOPIC, partition.partition);
      if (log) logs.push(log);
    }
    return logs;
  }
}
