// Starts the app, runs each of the document's flows once, waits for its effect, prints one line
// `REPORT {json}` with what happened and how long it took, and exits (non-zero on failure).
//   KAFKA_BROKERS=host:port [CREATE_TOPICS=1] node examples/nestjs-app/dist/demo.js
import { randomUUID } from 'node:crypto';
import { AnalyticsService } from './analytics/analytics.service.js';
import { startApp } from './bootstrap.js';
import { EmailService } from './email/email.service.js';
import { EventsPublisher } from './events/events.publisher.js';
import { KafkaService } from './kafka/kafka.service.js';
import { NotificationService } from './notification/notification.service.js';
import { type User, UserService } from './profile/profile.service.js';
import { createTopics } from './topics.js';

const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 60_000);
const report: Record<string, unknown> = { brokers: process.env.KAFKA_BROKERS ?? 'localhost:9092' };
const timings: Record<string, number> = {};
report.timings = timings;

async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

let exitCode = 0;
if (process.env.CREATE_TOPICS === '1') {
  await timed('createTopicsMs', () =>
    createTopics(process.env.KAFKA_BROKERS?.split(',') ?? ['localhost:9092']),
  );
}
const app = await timed('startMs', () => startApp());
try {
  const publisher = app.get(EventsPublisher);
  const kafkaService = app.get(KafkaService);
  const users = app.get(UserService);
  const email = app.get(EmailService);
  const notifications = app.get(NotificationService);
  const analytics = app.get(AnalyticsService);

  const run = randomUUID().slice(0, 8);
  const userId = `user-${run}`;
  const userEmail = `${userId}@example.com`;
  const userData = { id: userId, email: userEmail, name: `Demo ${run}` };
  report.userId = userId;

  report.registration = await timed('registrationMs', async () => {
    await publisher.registerUser(userId, userData);
    const user = await users.created.waitFor((u) => u.id === userId, timeoutMs, 'the user to be created');
    const welcome = await email.welcomeEmails.waitFor(
      (e) => e.to === userEmail,
      timeoutMs,
      'the welcome email',
    );
    return { user, welcomeEmail: welcome };
  });

  report.notification = await timed('notificationMs', async () => {
    await publisher.sendNotification(userId, userEmail, userData);
    return notifications.sent.waitFor((n) => n.to === userEmail, timeoutMs, 'the notification');
  });

  report.activity = await timed('activityMs', async () => {
    const sent = await publisher.recordLogin(userId, '203.0.113.7');
    const timestamp = sent.timestamp.toISOString();
    return analytics.tracked.waitFor((a) => a.timestamp === timestamp, timeoutMs, 'the tracked login');
  });

  report.requestResponse = await timed('requestResponseMs', async () => ({
    profile: await kafkaService.request<User | null>('user.profile', { id: userId }),
    missing: await kafkaService.request<User | null>('user.profile', { id: `nobody-${run}` }),
  }));
  report.ok = true;
} catch (error) {
  report.ok = false;
  report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  exitCode = 1;
} finally {
  await timed('closeMs', () => app.close()).catch((error: unknown) => {
    report.closeError = String(error);
  });
}
console.log(`REPORT ${JSON.stringify(report)}`);
process.exit(exitCode);
