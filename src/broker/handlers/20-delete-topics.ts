/**
 * DeleteTopics (key 20), versions 1-6 (Kafka 4 no longer serves the deprecated v0). Topics are
 * named by name, and from v6 by name or topic id. Unknown names are UNKNOWN_TOPIC_OR_PARTITION,
 * unknown ids UNKNOWN_TOPIC_ID; internal topics (__consumer_offsets, __transaction_state) cannot be
 * deleted (INVALID_TOPIC_EXCEPTION); with `delete.topic.enable=false` every topic gets
 * TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which lacks that code). A topic named twice,
 * or an entry with both a name and an id, is INVALID_REQUEST. Deletion removes the topic from
 * metadata first, then its partition logs.
 * Not implemented: quotas (THROTTLING_QUOTA_EXCEEDED), ACLs; timeout_ms is ignored (deletion is
 * synchronous on a single node).
 */
import type { TopicImage } from '../../metadata/metadata-image.js';
import { Apis } from '../../protocol/generated/api-keys.js';
import type { DeleteTopicsResponseDeletableTopicResult } from '../../protocol/generated/delete-topics-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerContext } from '../context.js';
import { AdminError, duplicates, errorResult } from './admin-errors.js';
import { defineHandler } from './handler.js';
import { isZeroWireUuid, topicIdFromWire, topicIdToWire } from './topic-ids.js';

const WIRE_ZERO_UUID = '00000000-0000-0000-0000-000000000000';

interface Requested {
  name: string | null;
  /** Wire form; the zero uuid when the topic is named. */
  topicId: string;
}

export const deleteTopicsHandler = defineHandler({
  api: Apis.DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const requested: Requested[] =
      apiVersion >= 6
        ? request.topics.map((topic) => ({ name: topic.name, topicId: topic.topicId }))
        : request.topicNames.map((name) => ({ name, topicId: WIRE_ZERO_UUID }));
    const repeated = duplicates(
      requested.map((entry) =>
        entry.name !== null && entry.name !== '' ? `n:${entry.name}` : `i:${entry.topicId}`,
      ),
    );
    const deletionEnabled = broker.config.get('delete.topic.enable');

    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const entry of requested) {
      const key = entry.name !== null && entry.name !== '' ? `n:${entry.name}` : `i:${entry.topicId}`;
      const result: DeleteTopicsResponseDeletableTopicResult = {
        name: entry.name,
        topicId: entry.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
      };
      try {
        if (repeated.has(key)) {
          throw new AdminError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in the request.');
        }
        if (!deletionEnabled) {
          throw new AdminError(
            apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED,
            'Topic deletion is disabled (delete.topic.enable=false).',
          );
        }
        const topic = await deleteOne(broker, entry);
        result.name = topic.name;
        result.topicId = topicIdToWire(topic.topicId);
      } catch (error) {
        Object.assign(result, errorResult(error, broker.logger));
      }
      responses.push(result);
    }
    return Apis.DeleteTopics.response.create({ throttleTimeMs: 0, responses });
  },
});

async function deleteOne(broker: BrokerContext, entry: Requested): Promise<TopicImage> {
  const image = broker.image();
  const byName = entry.name !== null && entry.name !== '';
  if (byName && !isZeroWireUuid(entry.topicId)) {
    throw new AdminError(ErrorCode.INVALID_REQUEST, 'A topic may be named by name or by id, not both.');
  }
  let topic: TopicImage | undefined;
  if (byName) {
    topic = image.topic(entry.name!);
    if (!topic) {
      throw new AdminError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `This server does not host this topic: ${entry.name}.`,
      );
    }
  } else {
    topic = isZeroWireUuid(entry.topicId) ? undefined : image.topicById(topicIdFromWire(entry.topicId));
    if (!topic) throw new AdminError(ErrorCode.UNKNOWN_TOPIC_ID, `No topic with id ${entry.topicId}.`);
  }
  if (topic.internal) {
    throw new AdminError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Internal topic ${topic.name} cannot be deleted.`,
    );
  }
  return broker.topics.deleteTopic(topic.name);
}
