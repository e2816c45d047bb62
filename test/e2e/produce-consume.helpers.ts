/**
 * Group-less consuming with the real clients' own Fetch codecs: kafkajs' cluster/broker layer
 * (which its consumer runs on) and @platformatic/kafka's Consumer.fetch. Reading by assigned
 * partition keeps these tests about the data path, independent of the group coordinator.
 */
import { Consumer } from '@platformatic/kafka';
import type { Kafka } from 'kafkajs';

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: number;
}

interface KafkajsMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer>;
  timestamp: string;
}

interface KafkajsFetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: KafkajsMessage[];
}

interface KafkajsBroker {
  fetch(
    request: unknown,
  ): Promise<{ responses: { topicName: string; partitions: KafkajsFetchPartition[] }[] }>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(options: { nodeId: string | number }): Promise<KafkajsBroker>;
}

/** kafkajs' internal cluster (the layer its consumer uses), for partition-assigned fetching. */
export async function kafkajsCluster(kafka: Kafka, topic: string): Promise<KafkajsCluster> {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (candidate) => candidate.description === 'private:Kafka:createCluster',
  );
  if (symbol === undefined) throw new Error('kafkajs internals changed');
  const create = (kafka as unknown as Record<symbol, (options: object) => KafkajsCluster>)[symbol]!;
  const cluster = create({ allowAutoTopicCreation: false });
  await cluster.connect();
  await cluster.addTargetTopic(topic);
  await cluster.refreshMetadata();
  return cluster;
}

export interface KafkajsFetchOptions {
  maxWaitTime?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  isolationLevel?: number;
}

/** One kafkajs Fetch (v11) of `partitions` from their offsets; returns the decoded partitions. */
export async function kafkajsFetchOnce(
  cluster: KafkajsCluster,
  topic: string,
  offsets: Map<number, number>,
  options: KafkajsFetchOptions = {},
): Promise<KafkajsFetchPartition[]> {
  const byLeader = cluster.findLeaderForPartitions(topic, [...offsets.keys()]);
  const out: KafkajsFetchPartition[] = [];
  for (const [leader, partitions] of Object.entries(byLeader)) {
    const broker = await cluster.findBroker({ nodeId: leader });
    const response = await broker.fetch({
      isolationLevel: options.isolationLevel ?? 1,
      maxWaitTime: options.maxWaitTime ?? 100,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
      topics: [
        {
          topic,
          partitions: partitions.map((partition) => ({
            partition,
            fetchOffset: String(offsets.get(partition)),
            maxBytes: options.partitionMaxBytes ?? 1024 * 1024,
          })),
        },
      ],
    });
    for (const topicResponse of response.responses) out.push(...topicResponse.partitions);
  }
  return out;
}

/** Reads every partition from offset 0 with kafkajs until `total` records have arrived. */
export async function kafkajsConsumeAll(
  kafka: Kafka,
  topic: string,
  partitions: number,
  total: number,
  options: KafkajsFetchOptions = {},
): Promise<ConsumedRecord[]> {
  const cluster = await kafkajsCluster(kafka, topic);
  const offsets = new Map<number, number>();
  for (let partition = 0; partition < partitions; partition++) offsets.set(partition, 0);
  const records: ConsumedRecord[] = [];
  try {
    const deadline = Date.now() + 120_000;
    while (records.length < total) {
      if (Date.now() > deadline) throw new Error(`consumed ${records.length} of ${total}`);
      for (const data of await kafkajsFetchOnce(cluster, topic, offsets, options)) {
        if (data.errorCode !== 0) throw new Error(`fetch error ${data.errorCode}`);
        for (const message of data.messages) {
          const offset = Number(message.offset);
          if (offset < offsets.get(data.partition)!) continue;
          records.push({
            partition: data.partition,
            offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
            timestamp: Number(message.timestamp),
          });
          offsets.set(data.partition, offset + 1);
        }
      }
    }
  } finally {
    await cluster.disconnect();
  }
  return records;
}

/** Reads every partition from offset 0 with @platformatic/kafka (Fetch v12) until `total` arrived. */
export async function platformaticConsumeAll(
  bootstrap: string,
  topic: string,
  partitions: number,
  total: number,
  options: { maxBytes?: number; partitionMaxBytes?: number } = {},
): Promise<ConsumedRecord[]> {
  const consumer = new Consumer({
    clientId: 'e2e-consumer',
    groupId: `e2e-${Math.random()}`,
    bootstrapBrokers: [bootstrap],
    retries: 0,
  });
  const offsets = new Map<number, bigint>();
  for (let partition = 0; partition < partitions; partition++) offsets.set(partition, 0n);
  const records: ConsumedRecord[] = [];
  try {
    const metadata = await consumer.metadata({ topics: [topic] });
    const leaders = metadata.topics.get(topic)!.partitions;
    // Fetch v13+ names topics by id.
    const topicId = metadata.topics.get(topic)!.id;
    const deadline = Date.now() + 120_000;
    while (records.length < total) {
      if (Date.now() > deadline) throw new Error(`consumed ${records.length} of ${total}`);
      const node = leaders[0]!.leader;
      const response = await consumer.fetch({
        node,
        maxWaitTime: 100,
        maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
        topics: [
          {
            topicId,
            partitions: [...offsets].map(([partition, fetchOffset]) => ({
              partition,
              currentLeaderEpoch: -1,
              fetchOffset,
              lastFetchedEpoch: -1,
              partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
            })),
          },
        ],
      });
      for (const topicResponse of response.responses) {
        for (const data of topicResponse.partitions) {
          if (data.errorCode !== 0) throw new Error(`fetch error ${data.errorCode}`);
          for (const batch of data.records ?? []) {
            for (const record of batch.records) {
              const offset = Number(batch.firstOffset + BigInt(record.offsetDelta));
              if (offset < Number(offsets.get(data.partitionIndex)!)) continue;
              const headers: Record<string, Buffer> = {};
              for (const [key, value] of record.headers) {
                if (key !== null && value !== null) headers[key.toString()] = value;
              }
              records.push({
                partition: data.partitionIndex,
                offset,
                key: record.key ?? null,
                value: record.value ?? null,
                headers,
                timestamp: Number(batch.firstTimestamp + BigInt(record.timestampDelta)),
              });
              offsets.set(data.partitionIndex, BigInt(offset + 1));
            }
          }
        }
      }
    }
  } finally {
    await consumer.close(true);
  }
  return records;
}

/** Groups records by partition, in the order they were consumed. */
export function byPartition(records: readonly ConsumedRecord[]): Map<number, ConsumedRecord[]> {
  const map = new Map<number, ConsumedRecord[]>();
  for (const record of records) {
    let list = map.get(record.partition);
    if (!list) {
      list = [];
      map.set(record.partition, list);
    }
    list.push(record);
  }
  return map;
}
