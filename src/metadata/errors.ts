/**
 * Metadata errors are data: each carries the Kafka error code a handler returns to the client.
 * The numbers are Kafka's; they are defined here until the generated table
 * (src/protocol/generated/error-codes.ts) lands.
 */
export const KafkaErrorCode = Object.freeze({
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  KAFKA_STORAGE_ERROR: 56,
  INCONSISTENT_CLUSTER_ID: 104,
} as const);
export type KafkaErrorName = keyof typeof KafkaErrorCode;

export class MetadataError extends Error {
  /** Kafka's error name, e.g. TOPIC_ALREADY_EXISTS. */
  readonly errorName: KafkaErrorName;
  /** Kafka's error code number, e.g. 36. */
  readonly errorCode: number;

  constructor(errorName: KafkaErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetadataError';
    this.errorName = errorName;
    this.errorCode = KafkaErrorCode[errorName];
  }
}
