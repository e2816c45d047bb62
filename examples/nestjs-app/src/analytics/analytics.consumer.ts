import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { KAFKAJS } from '../kafka/kafkajs.module.js';
import { AnalyticsService } from './analytics.service.js';

/**
 * The document's analytics consumer. Its `@KafkaListener('user.activity')` is not a NestJS
 * decorator (it is Spring Kafka's), so the listener is a kafkajs consumer in its own group,
 * `zameni-analytics`, which hands each message to the document's handler unchanged: kafkajs
 * gives `message.value` as a Buffer, and JSON.parse reads it as its string.
 */
@Injectable()
export class AnalyticsConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly consumer: Consumer;

  constructor(
    @Inject(KAFKAJS) kafka: Kafka,
    private analyticsService: AnalyticsService,
  ) {
    // A short fetch wait so that shutdown, which waits for the fetch in flight, is quick.
    this.consumer = kafka.consumer({ groupId: 'zameni-analytics', maxWaitTimeInMs: 1000 });
  }

  async onModuleInit() {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: 'user.activity', fromBeginning: true });
    await this.consumer.run({ eachMessage: ({ message }) => this.handleUserActivity(message) });
  }

  async onModuleDestroy() {
    await this.consumer.disconnect();
  }

  // @KafkaListener('user.activity') in the document
  async handleUserActivity(message: any) {
    const activity = JSON.parse(message.value);
    await this.analyticsService.track(activity);
  }
}
