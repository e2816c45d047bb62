/**
 * Authorized-operations bit fields (KIP-430). Samsa has no ACLs yet, so every client may do every
 * operation that applies to a resource; Kafka encodes an operation as the bit of its AclOperation
 * code. When a request does not ask for them, the field is Integer.MIN_VALUE.
 */
const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

export const OPERATIONS_NOT_REQUESTED = -2147483648;

function bits(operations: readonly number[]): number {
  return operations.reduce((field, operation) => field | (1 << operation), 0);
}

export const TOPIC_OPERATIONS = bits([
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.CREATE,
  AclOperation.DELETE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

export const CLUSTER_OPERATIONS = bits([
  AclOperation.CREATE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE,
  AclOperation.CLUSTER_ACTION,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
  AclOperation.IDEMPOTENT_WRITE,
]);
