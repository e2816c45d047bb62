/**
 * Row ids of the benchmark's results and the workloads they name, in one place: `bench/run.ts`
 * runs these workloads and names its rows with these ids, and `bench/lib/targets.ts` finds the
 * rows it compares by the same names.
 */
import type { Compression } from './perf-tools.js';

export type Durability = 'fsync' | 'pagecache';

/** Record sizes of every throughput row. */
export const SIZES = [100, 1024] as const;
/** The partition count of the scaling rows (Samsa fsync, acks=1). */
export const MANY_PARTITIONS = 1000;

export interface SamsaWorkload {
  recordSize: number;
  durability: Durability;
  partitions: number;
  acks: number;
}

/** `samsa/produce/100B/fsync/p6/acks1` and the consume row of the same topic. */
export function samsaIds(w: SamsaWorkload): { produce: string; consume: string } {
  const base = `${w.recordSize}B/${w.durability}/p${w.partitions}`;
  return { produce: `samsa/produce/${base}/acks${w.acks}`, consume: `samsa/consume/${base}` };
}

/** Row id of a Kafka produce row of our generator; `flush` = the topic has flush.messages=1. */
export function kafkaProduceId(recordSize: number, partitions: number, acks: number, flush: boolean): string {
  return `kafka/produce/${recordSize}B/${flush ? 'flush1/' : ''}p${partitions}/acks${acks}`;
}

export function kafkaConsumeId(recordSize: number, partitions: number): string {
  return `kafka/consume/${recordSize}B/p${partitions}`;
}

/**
 * A latency row's id: `samsa/latency/10000` (fsync) and `kafka/latency/10000`, or with `variant`
 * the other durability of each: `samsa/latency/pagecache/10000`, `kafka/latency/flush1/10000`.
 */
export function latencyId(system: 'samsa' | 'kafka', rate: number, variant: boolean): string {
  if (!variant) return `${system}/latency/${rate}`;
  return system === 'samsa' ? `samsa/latency/pagecache/${rate}` : `kafka/latency/flush1/${rate}`;
}

export interface PerfWorkload {
  recordSize: number;
  partitions: number;
  acks: number;
  compression: Compression;
}

/**
 * Ids of a perf-tool workload against one target, `mode` being its part of the id ('fsync/',
 * 'pagecache/', 'flush1/' or '' for Kafka's default).
 */
export function perfToolIds(
  system: 'samsa' | 'kafka',
  mode: string,
  w: PerfWorkload,
): { produce: string; consume: string } {
  const lz4 = w.compression === 'lz4' ? '/lz4' : '';
  return {
    produce: `${system}/perftool/produce/${w.recordSize}B/${mode}p${w.partitions}/acks${w.acks}${lz4}`,
    consume: `${system}/perftool/consume/${w.recordSize}B/${mode}p${w.partitions}`,
  };
}

/** 100 B and 1 KiB, 1 and 6 partitions, acks=1 and acks=all, no compression; lz4 with acks=1. */
export const PERF_WORKLOADS: readonly PerfWorkload[] = SIZES.flatMap((recordSize) =>
  [1, 6].flatMap((partitions) => [
    { recordSize, partitions, acks: 1, compression: 'none' as const },
    { recordSize, partitions, acks: -1, compression: 'none' as const },
    { recordSize, partitions, acks: 1, compression: 'lz4' as const },
  ]),
);
