import { Module } from '@nestjs/common';
import { KafkaJsModule } from '../kafka/kafkajs.module.js';
import { AnalyticsConsumer } from './analytics.consumer.js';
import { AnalyticsService } from './analytics.service.js';

@Module({
  imports: [KafkaJsModule],
  providers: [AnalyticsService, AnalyticsConsumer],
  exports: [AnalyticsService],
})
export class AnalyticsModule {}
