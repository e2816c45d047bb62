/**
 * The founding document's NestJS application (examples/nestjs-app) against a broker: each flow
 * must have its effect. The app runs as a child process, built with tsc because NestJS's
 * constructor injection needs emitDecoratorMetadata, which tsx (esbuild) does not emit.
 *
 * Broker: SAMSA_TEST_BOOTSTRAP=host:port if set (e.g. Apache Kafka from bench/kafka, to check the
 * app and this test themselves), else a Samsa broker started in this process. Against the
 * in-process Samsa the topics are left to auto-creation, as NestJS's reply topics are in
 * practice; against an external broker they are created first (CREATE_TOPICS=1), since Apache
 * Kafka's first answer for an auto-created topic makes kafkajs's subscribe() fail.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startBroker } from '../../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const APP = join(ROOT, 'examples', 'nestjs-app');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const RUN_TIMEOUT_MS = 120_000;
const SEE_FIRST = 'the flow did not complete: see the first test for the output';

interface User {
  id: string;
  email: string;
  name: string;
}

/** The `REPORT {json}` line that examples/nestjs-app/src/demo.ts prints. */
interface Report {
  ok: boolean;
  error?: string;
  userId: string;
  timings: Record<string, number>;
  registration?: { user: User; welcomeEmail: { to: string; template: string } };
  notification?: { type: string; to: string; template: string; data: User };
  activity?: { action: string; timestamp: string; ip: string };
  requestResponse?: { profile: User | null; missing: User | null };
}

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(APP, 'dist', 'demo.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Math.round(performance.now() - started) });
    });
  });
}

describe('the founding document NestJS app (examples/nestjs-app)', () => {
  let stopBroker: () => Promise<void> = async () => {};
  let report: Report | undefined;
  let failure = '';

  before(
    async () => {
      let bootstrap = process.env.SAMSA_TEST_BOOTSTRAP;
      const external = bootstrap !== undefined && bootstrap !== '';
      if (!external) {
        const broker = await startBroker({ port: 0 });
        bootstrap = broker.bootstrap;
        stopBroker = () => broker.stop();
      }

      const build = spawnSync(process.execPath, [TSC, '-p', join(APP, 'tsconfig.json')], {
        encoding: 'utf8',
      });
      assert.equal(build.status, 0, `tsc failed:\n${build.stdout}${build.stderr}`);

      const run = await runDemo({
        KAFKA_BROKERS: bootstrap,
        CREATE_TOPICS: external ? '1' : '0',
        NEST_LOG_LEVELS: 'warn,error',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        DEMO_TIMEOUT_MS: '30000',
      });
      const line = run.output.split('\n').find((l) => l.startsWith('REPORT '));
      if (line !== undefined) report = JSON.parse(line.slice('REPORT '.length)) as Report;
      if (run.code !== 0 || !report?.ok) {
        failure = `demo exited with ${run.code} after ${run.ms} ms:\n${run.output.slice(-10_000)}`;
      }
      console.log(
        `nestjs-app on ${bootstrap}: ${run.ms} ms in all, ${JSON.stringify(report?.timings ?? {})}`,
      );
    },
    { timeout: RUN_TIMEOUT_MS + 60_000 },
  );

  after(() => stopBroker());

  test('the app starts, runs every flow and shuts down cleanly', () => {
    assert.equal(failure, '', failure);
    assert.ok(report?.ok);
  });

  test('user.registration: the user is created and a welcome email recorded', () => {
    const registration = report?.registration;
    assert.ok(registration, SEE_FIRST);
    assert.equal(registration.user.id, report!.userId);
    assert.equal(registration.user.email, `${report!.userId}@example.com`);
    assert.deepEqual(registration.welcomeEmail, { to: registration.user.email, template: 'welcome' });
  });

  test('notification.send: the notification is sent', () => {
    const notification = report?.notification;
    assert.ok(notification, SEE_FIRST);
    assert.equal(notification.type, 'email');
    assert.equal(notification.to, `${report!.userId}@example.com`);
    assert.equal(notification.template, 'welcome');
    assert.equal(notification.data.id, report!.userId);
  });

  test('user.activity: the login is tracked by the analytics consumer', () => {
    const activity = report?.activity;
    assert.ok(activity, SEE_FIRST);
    assert.equal(activity.action, 'login');
    assert.equal(activity.ip, '203.0.113.7');
    assert.ok(!Number.isNaN(Date.parse(activity.timestamp)));
  });

  test('user.profile: request-response through user.profile.reply', () => {
    const requestResponse = report?.requestResponse;
    assert.ok(requestResponse, SEE_FIRST);
    assert.equal(requestResponse.profile?.id, report!.userId);
    assert.equal(requestResponse.profile?.email, `${report!.userId}@example.com`);
    assert.equal(requestResponse.missing, null);
  });
});
