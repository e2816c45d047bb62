import { Module } from '@nestjs/common';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { EmailModule } from './email/email.module.js';
import { EventsModule } from './events/events.module.js';
import { KafkaModule } from './kafka/kafka.module.js';
import { NotificationModule } from './notification/notification.module.js';
import { ProfileModule } from './profile/profile.module.js';

@Module({
  imports: [KafkaModule, ProfileModule, EmailModule, NotificationModule, AnalyticsModule, EventsModule],
})
export class AppModule {}
