/**
 * DescribeLogDirs (key 35), versions 1-4 (Kafka 4 no longer serves the deprecated v0). One log
 * directory: the data directory in use (Samsa uses only the first of log.dirs). Each hosted
 * partition reports its size on disk, offset lag 0 and is_future false; a null topic list means
 * all partitions, otherwise only those asked for (unknown ones are left out). v4 adds the file
 * system's total and usable bytes (statfs), -1 when the broker keeps its data in memory or statfs
 * fails.
 * Not implemented: several log dirs, future (moving) replicas, ACLs.
 */
import { statfs } from 'node:fs/promises';
import { Apis } from '../../protocol/generated/api-keys.js';
import type { DescribeLogDirsResponseDescribeLogDirsTopic } from '../../protocol/generated/describe-log-dirs-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerContext } from '../context.js';
import { defineHandler } from './handler.js';

export const describeLogDirsHandler = defineHandler({
  api: Apis.DescribeLogDirs,
  minVersion: 1,
  maxVersion: 4,
  async handle(request, context) {
    const { broker, apiVersion } = context;
    const usage = broker.logs.usage();
    const wanted =
      request.topics === null
        ? null
        : new Map(request.topics.map((topic) => [topic.topic, new Set(topic.partitions)]));
    const byTopic = new Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>();
    for (const partition of usage.partitions) {
      if (wanted !== null && !wanted.get(partition.topic)?.has(partition.partition)) continue;
      let topic = byTopic.get(partition.topic);
      if (!topic) {
        topic = { name: partition.topic, partitions: [] };
        byTopic.set(partition.topic, topic);
      }
      topic.partitions.push({
        partitionIndex: partition.partition,
        partitionSize: BigInt(partition.size),
        offsetLag: 0n,
        isFutureKey: false,
      });
    }
    const topics = [...byTopic.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const topic of topics) topic.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
    const space = apiVersion >= 4 ? await diskSpace(broker, usage.logDir) : { total: -1n, usable: -1n };
    return Apis.DescribeLogDirs.response.create({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: usage.logDir,
          topics,
          totalBytes: space.total,
          usableBytes: space.usable,
        },
      ],
    });
  },
});

async function diskSpace(broker: BrokerContext, logDir: string): Promise<{ total: bigint; usable: bigint }> {
  if (broker.config.inMemory) return { total: -1n, usable: -1n };
  try {
    const stats = await statfs(logDir, { bigint: true });
    return { total: stats.blocks * stats.bsize, usable: stats.bavail * stats.bsize };
  } catch (error) {
    broker.logger.warn({ err: error, logDir }, 'statfs of the log dir failed');
    return { total: -1n, usable: -1n };
  }
}
