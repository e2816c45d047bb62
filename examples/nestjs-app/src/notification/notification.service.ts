import { Injectable } from '@nestjs/common';
import { Recorder } from '../common/recorder.js';

export interface Notification {
  type: string;
  to: string;
  template: string;
  data?: unknown;
}

/** Delivers notifications; here it only records them, with the time of delivery. */
@Injectable()
export class NotificationService {
  readonly sent = new Recorder<Notification & { sentAt: string }>();

  async send(notification: Notification): Promise<void> {
    this.sent.record({ ...notification, sentAt: new Date().toISOString() });
  }
}
