/**
 * CreateTopics (key 19), versions 2-7 (Kafka 4 no longer serves the deprecated 0-1; kafkajs uses
 * 3, @platformatic/kafka 7). Partitions and replication factor may be -1 (the broker's
 * num.partitions and default.replication.factor) or replaced by explicit replica assignments.
 * Configs are checked against the topic schema (unknown names and bad values: INVALID_CONFIG with
 * the reason). validate_only checks everything and creates nothing. v5+ answers with the
 * partition count, replication factor and every config of the new topic with its source; v7 with
 * the topic id. Every topic gets its own error code and message; a name given twice is
 * INVALID_REQUEST.
 * Not implemented: create-topic policies, quotas (THROTTLING_QUOTA_EXCEEDED), ACLs; timeout_ms is
 * ignored since a single node creates topics synchronously.
 */
import type { CreateTopicOptions } from '../../metadata/local-store.js';
import { topicNameProblem } from '../../metadata/topic-name.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import type { CreateTopicsRequestCreatableTopic } from '../../protocol/generated/create-topics-request.js';
import type { CreateTopicsResponseCreatableTopicResult } from '../../protocol/generated/create-topics-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { parseTopicConfigs } from '../../storage/log-config.js';
import type { BrokerContext } from '../context.js';
import { checkTopicOverrides } from './admin-configs.js';
import { AdminError, duplicates, type ErrorResult, errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';
import { topicIdToWire } from './topic-ids.js';

const WIRE_ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const createTopicsHandler = defineHandler({
  api: Apis.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  async handle(request, context) {
    const { broker } = context;
    const repeated = duplicates(request.topics.map((topic) => topic.name));
    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const name of repeated) {
      results.push(
        failure(name, {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'Create topics request from client contains multiple requests for the same topic.',
        }),
      );
    }
    for (const topic of request.topics) {
      if (repeated.has(topic.name)) continue;
      try {
        results.push(await createOne(broker, topic, request.validateOnly));
      } catch (error) {
        results.push(failure(topic.name, errorResult(error, broker.logger)));
      }
    }
    return Apis.CreateTopics.response.create({ throttleTimeMs: 0, topics: results });
  },
});

async function createOne(
  broker: BrokerContext,
  request: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
): Promise<CreateTopicsResponseCreatableTopicResult> {
  const { name } = request;
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (broker.image().topic(name)) {
    throw new AdminError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
  }

  const configs: Record<string, string> = {};
  for (const config of request.configs) {
    if (Object.hasOwn(configs, config.name)) {
      throw new AdminError(ErrorCode.INVALID_REQUEST, `Duplicate config ${config.name} in the request.`);
    }
    if (config.value === null) {
      throw new AdminError(
        ErrorCode.INVALID_CONFIG,
        `Null value not supported for topic config ${config.name}.`,
      );
    }
    configs[config.name] = config.value;
  }
  checkTopicOverrides(broker, configs);

  const options: CreateTopicOptions = { configs, validateOnly };
  if (request.assignments.length > 0) {
    if (request.numPartitions !== -1 || request.replicationFactor !== -1) {
      throw new AdminError(
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    }
    const sorted = [...request.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
    if (sorted.some((assignment, index) => assignment.partitionIndex !== index)) {
      throw new AdminError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Partitions should be a consecutive 0-based integer sequence.',
      );
    }
    options.assignments = sorted.map((assignment) => assignment.brokerIds);
  } else {
    const defaults = broker.effectiveConfig();
    options.partitions =
      request.numPartitions === -1 ? defaults.get('num.partitions') : request.numPartitions;
    options.replicationFactor =
      request.replicationFactor === -1
        ? defaults.get('default.replication.factor')
        : request.replicationFactor;
  }

  const topic = await broker.topics.createTopic(name, options);
  const effective = broker.effectiveConfig().topicConfig(parseTopicConfigs(topic.configs));
  return {
    name,
    topicId: validateOnly ? WIRE_ZERO_UUID : topicIdToWire(topic.topicId),
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? -1,
    configs: effective.describe(undefined, false).map((entry) => ({
      name: entry.name,
      value: entry.value,
      readOnly: entry.readOnly,
      configSource: entry.source,
      isSensitive: entry.isSensitive,
    })),
  };
}

function failure(name: string, error: ErrorResult): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: WIRE_ZERO_UUID,
    errorCode: error.errorCode,
    errorMessage: error.errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}
