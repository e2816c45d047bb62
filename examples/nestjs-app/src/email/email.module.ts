import { Module } from '@nestjs/common';
import { NotificationModule } from '../notification/notification.module.js';
import { EmailService } from './email.service.js';

@Module({
  imports: [NotificationModule],
  providers: [EmailService],
  exports: [EmailService],
})
export class EmailModule {}
