/**
 * Metadata (key 3), versions 0-12. Topic ids are real (v10+ requests may name topics by id).
 * A null topic list means every topic (in v0, an empty list does too); an empty list means none,
 * for clients that only want the brokers. Unknown topics are auto-created when the request allows
 * it (always before v4) and `auto.create.topics.enable` is on; the response then describes the new
 * topic with its leaders and no error, so clients can produce at once.
 * Not implemented: ACLs (authorized operations report everything allowed when asked for).
 */
import type { MetadataImage, TopicImage } from '../../metadata/metadata-image.js';
import { topicNameProblem } from '../../metadata/topic-name.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type {
  MetadataResponseMetadataResponsePartition,
  MetadataResponseMetadataResponseTopic,
} from '../../protocol/generated/metadata-response.js';
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED, TOPIC_OPERATIONS } from './authorized-operations.js';
import { defineHandler } from './handler.js';
import { isZeroWireUuid, topicIdFromWire, topicIdToWire } from './topic-ids.js';

const WIRE_ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const metadataHandler = defineHandler({
  api: Apis.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const allowAutoCreate = apiVersion < 4 || request.allowAutoTopicCreation;
    const wantsAll = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const topicOperations = request.includeTopicAuthorizedOperations
      ? TOPIC_OPERATIONS
      : OPERATIONS_NOT_REQUESTED;

    const topics: MetadataResponseMetadataResponseTopic[] = [];
    if (wantsAll) {
      const image = broker.image();
      for (const name of image.topicNames()) topics.push(describeTopic(image.topic(name)!, topicOperations));
    } else {
      for (const requested of request.topics ?? []) {
        if (requested.name === null || requested.name === '') {
          topics.push(describeTopicById(broker.image(), requested.topicId, topicOperations));
          continue;
        }
        const name = requested.name;
        let topic = broker.image().topic(name);
        if (!topic && topicNameProblem(name) !== undefined) {
          topics.push(topicError(name, ErrorCode.INVALID_TOPIC_EXCEPTION, topicOperations));
          continue;
        }
        if (!topic && allowAutoCreate) {
          try {
            topic = await broker.topics.autoCreate(name);
          } catch (error) {
            broker.logger.warn({ err: error, topic: name }, 'auto-creating a topic failed');
          }
        }
        topics.push(
          topic
            ? describeTopic(topic, topicOperations)
            : topicError(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topicOperations),
        );
      }
    }

    const image = broker.image();
    return Apis.Metadata.response.create({
      throttleTimeMs: 0,
      brokers: [...image.brokers.values()].map((registration) => ({
        nodeId: registration.id,
        host: registration.host,
        port: registration.port,
        rack: registration.rack,
      })),
      clusterId: image.clusterId,
      controllerId: image.controllerId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : OPERATIONS_NOT_REQUESTED,
    });
  },
});

function describeTopic(
  topic: TopicImage,
  authorizedOperations: number,
): MetadataResponseMetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topicIdToWire(topic.topicId),
    isInternal: topic.internal,
    partitions: topic.partitions.map(
      (partition): MetadataResponseMetadataResponsePartition => ({
        errorCode: partition.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: partition.partition,
        leaderId: partition.leader,
        leaderEpoch: partition.leaderEpoch,
        replicaNodes: [...partition.replicas],
        isrNodes: [...partition.isr],
        offlineReplicas: [...partition.offlineReplicas],
      }),
    ),
    topicAuthorizedOperations: authorizedOperations,
  };
}

function describeTopicById(
  image: MetadataImage,
  wireId: string,
  authorizedOperations: number,
): MetadataResponseMetadataResponseTopic {
  const topic = isZeroWireUuid(wireId) ? undefined : image.topicById(topicIdFromWire(wireId));
  if (topic) return describeTopic(topic, authorizedOperations);
  return { ...topicError(null, ErrorCode.UNKNOWN_TOPIC_ID, authorizedOperations), topicId: wireId };
}

function topicError(
  name: string | null,
  errorCode: number,
  authorizedOperations: number,
): MetadataResponseMetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId: WIRE_ZERO_UUID,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: authorizedOperations,
  };
}
