/**
 * ConsumerGroupHeartbeat (key 68), versions 0-1: the KIP-848 consumer group protocol. Epoch 0
 * joins (v0: the coordinator names the member; v1: the member names itself), -1 leaves, -2 is a
 * static member leaving for a while; any other epoch is a heartbeat that reports what the member
 * owns and gets back its epoch and, when it changed, its assignment. Assignment is server-side
 * (`uniform` by default, `range`), partitions are revoked before they move. v1's
 * SubscribedTopicRegex is matched in full with JavaScript's RegExp (Kafka uses RE2J syntax).
 * The group's changes are written to __consumer_offsets (Kafka's ConsumerGroup* records) before
 * the answer goes out, so members keep their ids and epochs across a restart.
 * Not implemented: rack-aware assignment, ACLs.
 */
import { Apis } from '../../protocol/generated/api-keys.js';
import { defineHandler } from './handler.js';
import { topicIdFromWire, topicIdToWire } from './topic-ids.js';

export const consumerGroupHeartbeatHandler = defineHandler({
  api: Apis.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const response = await context.broker.consumerGroups.heartbeatDurably({
      apiVersion: context.apiVersion,
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      instanceId: request.instanceId,
      rackId: request.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: request.subscribedTopicNames,
      subscribedTopicRegex: context.apiVersion >= 1 ? request.subscribedTopicRegex : null,
      serverAssignor: request.serverAssignor,
      topicPartitions:
        request.topicPartitions?.map((tp) => ({
          topicId: topicIdFromWire(tp.topicId),
          partitions: tp.partitions,
        })) ?? null,
      clientId: context.clientId ?? '',
      clientHost: `/${context.connection.remoteAddress}`,
    });
    return Apis.ConsumerGroupHeartbeat.response.create({
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      errorMessage: response.errorMessage,
      memberId: response.memberId,
      memberEpoch: response.memberEpoch,
      heartbeatIntervalMs: response.heartbeatIntervalMs,
      assignment:
        response.assignment === null
          ? null
          : {
              topicPartitions: response.assignment.map((tp) => ({
                topicId: topicIdToWire(tp.topicId),
                partitions: tp.partitions,
              })),
            },
    });
  },
});
