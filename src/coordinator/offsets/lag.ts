/**
 * Consumer lag of one partition: how many records the group has still to consume. Like Kafka's
 * kafka-consumer-groups, a partition without a committed offset (-1) has no lag to report (null),
 * and a committed offset past the high watermark (the log was truncated) counts as no lag.
 */
export function computeLag(committedOffset: number, highWatermark: number): number | null {
  if (committedOffset < 0 || highWatermark < 0) return null;
  return Math.max(0, highWatermark - committedOffset);
}
