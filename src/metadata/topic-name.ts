import { MetadataError } from './errors.js';

/** Kafka's rules for topic names: what `Topic.validate` and the collision check enforce. */
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Kafka's internal topics: hidden from listings unless asked, and not created by users. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

/** The reason `name` is not a legal topic name, or undefined when it is. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

/** Throws INVALID_TOPIC_EXCEPTION for an illegal name. */
export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new MetadataError('INVALID_TOPIC_EXCEPTION', problem);
}

/**
 * Metric names turn '.' into '_', so Kafka treats "a.b" and "a_b" as colliding: the key under
 * which two names collide.
 */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export function hasCollision(a: string, b: string): boolean {
  return collisionKey(a) === collisionKey(b);
}
