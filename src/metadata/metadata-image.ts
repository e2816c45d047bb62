import { collisionKey } from './topic-name.js';

/**
 * An immutable snapshot of the cluster: brokers, topics with their partitions, and config
 * overrides. Every change produces a new image (copy on write), so a request handler can read one
 * image from start to finish without seeing a half-applied change.
 */
export interface BrokerRegistration {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionImage {
  readonly partition: number;
  /** Broker id of the leader, or -1 when there is none. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicImage {
  readonly name: string;
  /** Kafka Uuid: 22 characters of base64url. */
  readonly topicId: string;
  readonly internal: boolean;
  readonly partitions: readonly PartitionImage[];
  /** Topic config overrides as the user gave them (Kafka's string syntax), validated on write. */
  readonly configs: Readonly<Record<string, string>>;
}

/** Dynamic broker configs: cluster-wide defaults and per-broker values (Kafka's string syntax). */
export interface BrokerConfigsImage {
  readonly clusterDefault: Readonly<Record<string, string>>;
  readonly perBroker: ReadonlyMap<number, Readonly<Record<string, string>>>;
}

export interface MetadataImageInit {
  clusterId: string;
  controllerId: number;
  brokers?: Iterable<BrokerRegistration>;
  topics?: Iterable<TopicImage>;
  brokerConfigs?: BrokerConfigsImage;
}

const EMPTY_BROKER_CONFIGS: BrokerConfigsImage = Object.freeze({
  clusterDefault: Object.freeze({}),
  perBroker: new Map(),
});

export class MetadataImage {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topics: ReadonlyMap<string, TopicImage>;
  readonly brokerConfigs: BrokerConfigsImage;
  private readonly topicsById: ReadonlyMap<string, TopicImage>;
  private readonly topicsByCollisionKey: ReadonlyMap<string, TopicImage>;

  constructor(init: MetadataImageInit) {
    this.clusterId = init.clusterId;
    this.controllerId = init.controllerId;
    this.brokers = new Map(
      [...(init.brokers ?? [])].map((broker) => [broker.id, Object.freeze({ ...broker })]),
    );
    const topics = [...(init.topics ?? [])].map(freezeTopic);
    this.topics = new Map(topics.map((topic) => [topic.name, topic]));
    this.topicsById = new Map(topics.map((topic) => [topic.topicId, topic]));
    this.topicsByCollisionKey = new Map(topics.map((topic) => [collisionKey(topic.name), topic]));
    this.brokerConfigs = init.brokerConfigs ?? EMPTY_BROKER_CONFIGS;
    Object.freeze(this);
  }

  topic(name: string): TopicImage | undefined {
    return this.topics.get(name);
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.topicsById.get(topicId);
  }

  partition(topic: string, partition: number): PartitionImage | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** An existing topic whose name collides with `name` ('.' vs '_'), other than `name` itself. */
  collidingTopic(name: string): TopicImage | undefined {
    const found = this.topicsByCollisionKey.get(collisionKey(name));
    return found && found.name !== name ? found : undefined;
  }

  topicNames(options: { includeInternal?: boolean } = {}): string[] {
    const names = [...this.topics.values()]
      .filter((topic) => options.includeInternal !== false || !topic.internal)
      .map((topic) => topic.name);
    return names.sort();
  }

  broker(id: number): BrokerRegistration | undefined {
    return this.brokers.get(id);
  }

  /** Dynamic configs set for broker `id` (not including cluster-wide defaults). */
  brokerConfigsOf(id: number): Readonly<Record<string, string>> {
    return this.brokerConfigs.perBroker.get(id) ?? {};
  }

  withTopic(topic: TopicImage): MetadataImage {
    const topics = new Map(this.topics);
    topics.set(topic.name, topic);
    return this.with({ topics: topics.values() });
  }

  withoutTopic(name: string): MetadataImage {
    const topics = new Map(this.topics);
    topics.delete(name);
    return this.with({ topics: topics.values() });
  }

  withBroker(broker: BrokerRegistration): MetadataImage {
    const brokers = new Map(this.brokers);
    brokers.set(broker.id, broker);
    return this.with({ brokers: brokers.values() });
  }

  withBrokerConfigs(brokerConfigs: BrokerConfigsImage): MetadataImage {
    return this.with({ brokerConfigs });
  }

  private with(changes: Partial<MetadataImageInit>): MetadataImage {
    return new MetadataImage({
      clusterId: this.clusterId,
      controllerId: this.controllerId,
      brokers: this.brokers.values(),
      topics: this.topics.values(),
      brokerConfigs: this.brokerConfigs,
      ...changes,
    });
  }
}

function freezeTopic(topic: TopicImage): TopicImage {
  if (Object.isFrozen(topic)) return topic;
  return Object.freeze({
    ...topic,
    configs: Object.freeze({ ...topic.configs }),
    partitions: Object.freeze(
      topic.partitions.map((partition) =>
        Object.freeze({
          ...partition,
          replicas: Object.freeze([...partition.replicas]),
          isr: Object.freeze([...partition.isr]),
          offlineReplicas: Object.freeze([...partition.offlineReplicas]),
        }),
      ),
    ),
  });
}
