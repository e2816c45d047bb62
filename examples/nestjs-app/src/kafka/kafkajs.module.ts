import { Module } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';

/** A plain kafkajs client, for the document's `kafkaProducer.send(...)` and `@KafkaListener` code. */
export const KAFKAJS = Symbol('KAFKAJS');

@Module({
  providers: [
    {
      provide: KAFKAJS,
      useFactory: () =>
        new Kafka({
          clientId: 'zameni-api',
          brokers: process.env.KAFKA_BROKERS?.split(',') ?? ['localhost:9092'],
          logLevel: logLevel.WARN,
        }),
    },
  ],
  exports: [KAFKAJS],
})
export class KafkaJsModule {}
