import { Kafka, logLevel } from 'kafkajs';

/**
 * The topics the app uses, created up front as the document's CLI section does with
 * `kafka-topics --create --topic user.registration --partitions 3 --replication-factor 1`.
 * Optional: without it the clients rely on auto-creation, which Samsa answers with a leader at
 * once, while Apache Kafka may first answer UNKNOWN_TOPIC_OR_PARTITION, which kafkajs's
 * subscribe() does not retry.
 */
export const TOPICS = [
  { topic: 'user.registration', numPartitions: 3 },
  { topic: 'notification.send', numPartitions: 1 },
  { topic: 'user.activity', numPartitions: 1 },
  { topic: 'user.profile', numPartitions: 1 },
  { topic: 'user.profile.reply', numPartitions: 1 },
];

export async function createTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'zameni-api-admin', brokers, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter(({ topic }) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((t) => ({ ...t, replicationFactor: 1 })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}
