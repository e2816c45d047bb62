/**
 * CreatePartitions (key 37), versions 0-3. Grows a topic to `count` partitions (never shrinks:
 * INVALID_PARTITIONS, also when the count is unchanged), optionally with explicit replica
 * assignments for the new partitions (one list per new partition, each as long as the topic's
 * replication factor: else INVALID_REPLICA_ASSIGNMENT). validate_only changes nothing. A topic
 * named twice is INVALID_REQUEST; an unknown one UNKNOWN_TOPIC_OR_PARTITION.
 * Not implemented: quotas (THROTTLING_QUOTA_EXCEEDED), ACLs; timeout_ms is ignored.
 */
import { topicNameProblem } from '../../metadata/topic-name.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import type { CreatePartitionsResponseCreatePartitionsTopicResult } from '../../protocol/generated/create-partitions-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AdminError, duplicates, errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';

export const createPartitionsHandler = defineHandler({
  api: Apis.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, context) {
    const { broker } = context;
    const repeated = duplicates(request.topics.map((topic) => topic.name));
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    for (const name of repeated) {
      results.push({
        name,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Duplicate topic in the request.',
      });
    }
    for (const topic of request.topics) {
      if (repeated.has(topic.name)) continue;
      try {
        const problem = topicNameProblem(topic.name);
        if (problem !== undefined) throw new AdminError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
        if (!broker.image().topic(topic.name)) {
          throw new AdminError(
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            `The topic '${topic.name}' does not exist.`,
          );
        }
        await broker.topics.createPartitions(topic.name, topic.count, {
          ...(topic.assignments !== null
            ? { assignments: topic.assignments.map((assignment) => assignment.brokerIds) }
            : {}),
          validateOnly: request.validateOnly,
        });
        results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (error) {
        results.push({ name: topic.name, ...errorResult(error, broker.logger) });
      }
    }
    return Apis.CreatePartitions.response.create({ throttleTimeMs: 0, results });
  },
});
