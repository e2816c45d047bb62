import { posix } from 'node:path';

/**
 * Kafka's on-disk names. A partition lives in `<topic>-<partition>/`; each segment is named by its
 * base offset as 20 zero-padded digits, with `.log`, `.index` and `.timeindex` files. Suffixes mark
 * files in transit: `.deleted` (removed segments waiting for readers), `.cleaned` / `.swap`
 * (compaction output before and during the swap), `.tmp` (checkpoint being written).
 */
export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const TMP_SUFFIX = '.tmp';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export function formatOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function segmentFileName(baseOffset: number, suffix: string): string {
  return formatOffset(baseOffset) + suffix;
}

export function segmentPath(dir: string, baseOffset: number, suffix: string): string {
  return posix.join(dir, segmentFileName(baseOffset, suffix));
}

/** The base offset and suffix (everything after the digits) of a segment file name, if it is one. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | undefined {
  const match = /^(\d{20})(\.[a-z.]+)$/.exec(name);
  if (!match) return undefined;
  return { baseOffset: Number(match[1]), suffix: match[2]! };
}

export function partitionDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Splits `<topic>-<partition>` at the last dash (topics may contain dashes). */
export function parsePartitionDirName(name: string): TopicPartition | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const partition = name.slice(dash + 1);
  if (!/^\d+$/.test(partition)) return undefined;
  return { topic: name.slice(0, dash), partition: Number(partition) };
}
