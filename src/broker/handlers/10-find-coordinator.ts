/**
 * FindCoordinator (key 10), versions 0-5. Key type 0 (group): the leader of the group's
 * __consumer_offsets partition, which is created here on first use; COORDINATOR_NOT_AVAILABLE
 * while the coordinator is still loading that topic (clients retry). Key type 1 (transaction):
 * this broker, until transaction coordinators get their own topic. v4+ batches several keys.
 * Not implemented: key type 2 (share groups, v6), ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FindCoordinatorResponseCoordinator } from '../../protocol/generated/find-coordinator-response.js';
import type { BrokerContext } from '../context.js';
import { partitionForGroup } from '../groups/group-partition.js';
import { defineHandler } from './handler.js';

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinatorHandler = defineHandler({
  api: Apis.FindCoordinator,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const keyType = apiVersion >= 1 ? request.keyType : GROUP;
    const keys = apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    const coordinators = await Promise.all(keys.map((key) => findCoordinator(broker, keyType, key)));
    if (apiVersion >= 4) return Apis.FindCoordinator.response.create({ throttleTimeMs: 0, coordinators });
    const { errorCode, errorMessage, nodeId, host, port } = coordinators[0]!;
    return Apis.FindCoordinator.response.create({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      nodeId,
      host,
      port,
    });
  },
});

async function findCoordinator(
  broker: BrokerContext,
  keyType: number,
  key: string,
): Promise<FindCoordinatorResponseCoordinator> {
  if (keyType === TRANSACTION) return node(broker, key, broker.brokerId);
  if (keyType !== GROUP) return failure(key, ErrorCode.INVALID_REQUEST, `Unsupported key type ${keyType}`);
  const groups = broker.groups;
  try {
    await groups.offsetsTopic.ensure();
  } catch (error) {
    broker.logger.warn({ err: error }, `creating ${groups.offsetsTopic.name} failed`);
    return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  if (groups.status !== 'active') {
    return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  const topic = groups.offsetsTopic.topic();
  const leader = topic?.partitions[partitionForGroup(key, topic.partitions.length)]?.leader ?? -1;
  return node(broker, key, leader);
}

function node(broker: BrokerContext, key: string, nodeId: number): FindCoordinatorResponseCoordinator {
  const registration = broker.image().brokers.get(nodeId);
  if (registration === undefined) {
    return failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  }
  return {
    key,
    nodeId,
    host: registration.host,
    port: registration.port,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
  };
}

function failure(key: string, errorCode: number, errorMessage: string): FindCoordinatorResponseCoordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}
