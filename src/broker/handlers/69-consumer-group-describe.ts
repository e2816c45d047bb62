/**
 * ConsumerGroupDescribe (key 69), version 0: KIP-848 consumer groups with their state (Empty,
 * Assigning, Reconciling, Stable), group and assignment epochs, assignor, and each member's
 * subscription, current assignment and target assignment (topic ids and names). A group that is
 * unknown or classic gets GROUP_ID_NOT_FOUND with state Dead, as Kafka answers.
 * Not implemented: ACLs (authorized operations report READ, DELETE, DESCRIBE when asked for).
 */

import type { DescribedTopicPartitions } from '../../coordinator/consumer-group/types.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import type { ConsumerGroupDescribeResponseTopicPartitions } from '../../protocol/generated/consumer-group-describe-response.js';
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { defineHandler } from './handler.js';
import { topicIdToWire } from './topic-ids.js';

/** AclOperation READ (3), DELETE (6) and DESCRIBE (8): what applies to a group. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export const consumerGroupDescribeHandler = defineHandler({
  api: Apis.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 0,
  handle(request, context) {
    const described = context.broker.consumerGroups.describe(request.groupIds);
    const authorizedOperations = request.includeAuthorizedOperations
      ? GROUP_OPERATIONS
      : OPERATIONS_NOT_REQUESTED;
    return Apis.ConsumerGroupDescribe.response.create({
      throttleTimeMs: 0,
      groups: described.map((group) => ({
        errorCode: group.errorCode,
        errorMessage: group.errorMessage,
        groupId: group.groupId,
        groupState: group.groupState,
        groupEpoch: group.groupEpoch,
        assignmentEpoch: group.assignmentEpoch,
        assignorName: group.assignorName,
        members: group.members.map((member) => ({
          memberId: member.memberId,
          instanceId: member.instanceId,
          rackId: member.rackId,
          memberEpoch: member.memberEpoch,
          clientId: member.clientId,
          clientHost: member.clientHost,
          subscribedTopicNames: member.subscribedTopicNames,
          subscribedTopicRegex: member.subscribedTopicRegex,
          assignment: { topicPartitions: toWire(member.assignment) },
          targetAssignment: { topicPartitions: toWire(member.targetAssignment) },
        })),
        authorizedOperations,
      })),
    });
  },
});

function toWire(partitions: DescribedTopicPartitions[]): ConsumerGroupDescribeResponseTopicPartitions[] {
  return partitions.map((tp) => ({
    topicId: topicIdToWire(tp.topicId),
    topicName: tp.topicName,
    partitions: tp.partitions,
  }));
}
