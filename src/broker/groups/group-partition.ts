/**
 * Which __consumer_offsets partition holds a group: Kafka's `Utils.abs(groupId.hashCode) % n`,
 * with Java's String.hashCode (over UTF-16 code units, 32-bit wrap-around) and Kafka's abs
 * (`x & 0x7fffffff`, so Integer.MIN_VALUE maps to 0, not to a negative number). Matching Kafka
 * keeps a Samsa log directory and a Kafka one agreeing on where each group lives.
 */
export const OFFSETS_TOPIC = '__consumer_offsets';

export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

export function partitionForGroup(groupId: string, partitionCount: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % partitionCount;
}
