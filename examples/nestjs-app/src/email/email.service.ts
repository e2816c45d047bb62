import { Injectable } from '@nestjs/common';
import { Recorder } from '../common/recorder.js';
import { type Notification, NotificationService } from '../notification/notification.service.js';

export interface Email {
  to: string;
  template: string;
}

/** The document's `EmailService`: welcome emails, and notifications of type 'email'. */
@Injectable()
export class EmailService {
  readonly welcomeEmails = new Recorder<Email>();

  constructor(private notificationService: NotificationService) {}

  async sendWelcomeEmail(email: string): Promise<void> {
    this.welcomeEmails.record({ to: email, template: 'welcome' });
  }

  async send(notification: Notification): Promise<void> {
    await this.notificationService.send(notification);
  }
}
