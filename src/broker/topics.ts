import type { CreateTopicOptions, LocalMetadataStore } from '../metadata/local-store.js';
import type { MetadataImage, TopicImage } from '../metadata/metadata-image.js';
import { topicNameProblem } from '../metadata/topic-name.js';
import type { PartitionLog } from '../storage/log/partition-log.js';
import { parseTopicConfigs, type TopicConfigOverrides } from '../storage/log-config.js';
import type { LogManager } from '../storage/log-manager.js';
import type { LogOptions } from '../storage/log-options.js';
import type { BrokerConfig } from './config.js';

/** What the topic manager works with; the broker provides it. */
export interface TopicManagerDeps {
  readonly brokerId: number;
  readonly config: BrokerConfig;
  readonly metadataStore: LocalMetadataStore;
  readonly logs: LogManager;
  image(): MetadataImage;
  logOptionsFor(topic: string): Partial<LogOptions>;
}

/**
 * Topics as the broker sees them: the metadata store's record of each topic and the partition
 * logs on disk, kept in step. Creating a topic commits it to metadata first, then opens its logs;
 * deleting removes it from metadata first, then deletes the logs, so a crash in between leaves
 * at worst orphaned log directories, never a topic without logs that clients could be told of.
 */
export class TopicManager {
  private readonly autoCreating = new Map<string, Promise<TopicImage | undefined>>();

  constructor(private readonly broker: TopicManagerDeps) {
    broker.metadataStore.onChange((_image, _previous, change) => {
      if (change.type === 'topic-configs-altered' || change.type === 'broker-configs-altered') {
        this.refreshLogOptions();
      }
    });
  }

  /** Parses stored string overrides (already validated when they were written). */
  static parseOverrides(raw: Readonly<Record<string, string>>): TopicConfigOverrides {
    return parseTopicConfigs(raw);
  }

  /** Opens (or creates) the log of every partition this broker hosts, at startup. */
  async openAllLogs(): Promise<void> {
    for (const topic of this.broker.image().topics.values()) await this.openLogs(topic);
  }

  private async openLogs(topic: TopicImage, fromPartition = 0): Promise<void> {
    const options = this.broker.logOptionsFor(topic.name);
    for (const partition of topic.partitions.slice(fromPartition)) {
      if (!partition.replicas.includes(this.broker.brokerId)) continue;
      await this.broker.logs.getOrCreateLog({ topic: topic.name, partition: partition.partition }, options);
    }
  }

  private refreshLogOptions(): void {
    for (const log of this.broker.logs.allLogs()) {
      log.updateOptions(this.broker.logOptionsFor(log.topicPartition.topic));
    }
  }

  /** The log of a partition this broker leads, or undefined. */
  log(topic: string, partition: number): PartitionLog | undefined {
    return this.broker.logs.getLog({ topic, partition });
  }

  async createTopic(name: string, options: CreateTopicOptions): Promise<TopicImage> {
    const topic = await this.broker.metadataStore.createTopic(name, options);
    if (!options.validateOnly) await this.openLogs(topic);
    return topic;
  }

  async createPartitions(
    name: string,
    totalCount: number,
    options: { assignments?: readonly (readonly number[])[]; validateOnly?: boolean } = {},
  ): Promise<TopicImage> {
    const previous = this.broker.image().topic(name)?.partitions.length ?? 0;
    const topic = await this.broker.metadataStore.createPartitions(name, totalCount, options);
    if (!options.validateOnly) await this.openLogs(topic, previous);
    return topic;
  }

  async deleteTopic(name: string): Promise<TopicImage> {
    const topic = await this.broker.metadataStore.deleteTopic(name);
    for (const partition of topic.partitions) {
      await this.broker.logs.deleteLog({ topic: topic.name, partition: partition.partition });
    }
    return topic;
  }

  /** Whether the broker creates unknown topics when clients ask for them. */
  get autoCreateEnabled(): boolean {
    return this.broker.config.get('auto.create.topics.enable');
  }

  /**
   * Creates `name` with the broker's defaults (num.partitions, default.replication.factor) if
   * auto-creation is on and the name is valid. Concurrent requests for the same name share one
   * creation; a topic created meanwhile by someone else is simply returned.
   */
  autoCreate(name: string): Promise<TopicImage | undefined> {
    const existing = this.broker.image().topic(name);
    if (existing) return Promise.resolve(existing);
    if (!this.autoCreateEnabled || topicNameProblem(name) !== undefined) return Promise.resolve(undefined);
    let pending = this.autoCreating.get(name);
    if (!pending) {
      pending = this.createTopic(name, {
        partitions: this.broker.config.get('num.partitions'),
        replicationFactor: Math.min(
          this.broker.config.get('default.replication.factor'),
          this.broker.image().brokers.size,
        ),
      })
        .catch((error: unknown) => {
          const now = this.broker.image().topic(name);
          if (now) return now;
          throw error;
        })
        .finally(() => this.autoCreating.delete(name));
      this.autoCreating.set(name, pending);
    }
    return pending;
  }
}
