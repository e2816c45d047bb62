/** Broker settings of KIP-848 consumer groups, under their Kafka names in the comments. */
export interface ConsumerGroupConfig {
  /** group.consumer.session.timeout.ms */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
  /** group.consumer.max.size */
  maxSize: number;
  /** group.consumer.assignors: short names; the first is the default. */
  assignors: readonly string[];
}

export const DEFAULT_CONSUMER_GROUP_CONFIG: Readonly<ConsumerGroupConfig> = Object.freeze({
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 5_000,
  maxSize: 2_147_483_647,
  assignors: ['uniform', 'range'],
});
