import { Injectable } from '@nestjs/common';
import { Recorder } from '../common/recorder.js';

export interface Activity {
  action: string;
  timestamp: string;
  ip: string;
}

/** Collects user activity; here it only records each event. */
@Injectable()
export class AnalyticsService {
  readonly tracked = new Recorder<Activity>();

  async track(activity: Activity): Promise<void> {
    this.tracked.record(activity);
  }
}
