import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { KafkaService } from '../kafka/kafka.service.js';
import { KAFKAJS } from '../kafka/kafkajs.module.js';
import type { UserData } from '../profile/profile.service.js';

/**
 * The producer side of the document's three examples.
 *
 * The document's controller reads `JSON.parse(message.value)` from its @Payload(). NestJS's
 * Kafka transport passes as the payload the record's value, already JSON-parsed. So for that
 * handler to find a JSON string under `value`, the record's value must be the JSON of
 * `{ value: "<JSON of the data>" }`: that is what `envelope()` builds, and KafkaService
 * serializes it. The document's bare `kafkaProducer.send({ value: JSON.stringify(userData) })`
 * would reach the handler as the parsed object, and JSON.parse of an object throws.
 */
export function envelope(data: unknown): { value: string } {
  return { value: JSON.stringify(data) };
}

@Injectable()
export class EventsPublisher implements OnModuleInit, OnModuleDestroy {
  private readonly kafkaProducer: Producer;

  constructor(
    private kafkaService: KafkaService,
    @Inject(KAFKAJS) kafka: Kafka,
  ) {
    this.kafkaProducer = kafka.producer();
  }

  async onModuleInit() {
    await this.kafkaProducer.connect();
  }

  async onModuleDestroy() {
    await this.kafkaProducer.disconnect();
  }

  /** 1. Registration: keyed by user id, through the document's KafkaService. */
  async registerUser(userId: string, userData: UserData): Promise<void> {
    await this.kafkaService.sendMessageWithKey('user.registration', userId, envelope(userData));
  }

  /** 2. Notification: the document's message, through KafkaService.sendMessage. */
  async sendNotification(userId: string, userEmail: string, userData: UserData): Promise<void> {
    await this.kafkaService.sendMessage('notification.send', {
      key: userId,
      value: envelope({
        type: 'email',
        to: userEmail,
        template: 'welcome',
        data: userData,
      }),
    });
  }

  /** 3. Analytics: the document's kafkajs producer call as written; returns what was sent. */
  async recordLogin(userId: string, userIp: string) {
    const activity = {
      action: 'login',
      timestamp: new Date(),
      ip: userIp,
    };
    await this.kafkaProducer.send({
      topic: 'user.activity',
      messages: [
        {
          key: userId,
          value: JSON.stringify(activity),
        },
      ],
    });
    return activity;
  }
}
