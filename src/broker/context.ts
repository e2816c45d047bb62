import type { ConsumerGroupCoordinator } from '../coordinator/consumer-group/coordinator.js';
import type { LocalMetadataStore } from '../metadata/local-store.js';
import type { MetadataImage } from '../metadata/metadata-image.js';
import type { LogManager } from '../storage/log-manager.js';
import type { BrokerConfig } from './config.js';
import type { BrokerGroupCoordinator } from './groups/broker-group-coordinator.js';
import type { NetLogger } from './net/logger.js';
import type { ProducerIdManager } from './producers/producer-ids.js';
import type { TopicManager } from './topics.js';

/** An API and the versions this broker serves of it, as ApiVersions advertises them. */
export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * What handlers may use of the broker. Handlers receive it through their RequestContext, never
 * by importing the Broker, so each can be tested against a broker started in-process.
 */
export interface BrokerContext {
  readonly brokerId: number;
  readonly clusterId: string;
  /** The host and port clients are told to connect to. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly logger: NetLogger;
  readonly config: BrokerConfig;
  /** `config` with the dynamic broker configs of the current image layered on top (AlterConfigs). */
  effectiveConfig(): BrokerConfig;
  readonly metadataStore: LocalMetadataStore;
  readonly logs: LogManager;
  readonly topics: TopicManager;
  /** The classic group coordinator and committed offsets (stored in __consumer_offsets). */
  readonly groups: BrokerGroupCoordinator;
  /** KIP-848 consumer groups (membership in memory; their offsets live in `groups`). */
  readonly consumerGroups: ConsumerGroupCoordinator;
  /** Producer ids for idempotent producers (InitProducerId), unique across restarts. */
  readonly producerIds: ProducerIdManager;
  /** The current metadata image; read it once per request for a consistent view. */
  image(): MetadataImage;
  supportedApis(): readonly SupportedApi[];
}
