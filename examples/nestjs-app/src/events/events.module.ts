import { Module } from '@nestjs/common';
import { KafkaModule } from '../kafka/kafka.module.js';
import { KafkaJsModule } from '../kafka/kafkajs.module.js';
import { EventsPublisher } from './events.publisher.js';

@Module({
  imports: [KafkaModule, KafkaJsModule],
  providers: [EventsPublisher],
  exports: [EventsPublisher],
})
export class EventsModule {}
