import { Reader } from '../../protocol/primitives/index.js';

/** The protocol type of groups formed by Kafka consumers (ConsumerProtocol). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics of a ConsumerProtocolSubscription (the JoinGroup metadata of consumers): an int16
 * version, then an int32-counted array of int16-length topic names in every version so far; the
 * fields after (user data, owned partitions, generation, rack) are not needed here. Returns null
 * for bytes that do not parse, which callers treat as "subscription unknown".
 */
export function parseSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    const reader = new Reader(metadata);
    const version = reader.int16();
    if (version < 0) return null;
    const count = reader.int32();
    if (count < 0 || count * 2 > reader.remaining()) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(reader.string());
    return topics;
  } catch {
    return null;
  }
}
