// Runs the service until SIGINT or SIGTERM: `KAFKA_BROKERS=host:port node dist/main.js`.
import { startApp } from './bootstrap.js';

const app = await startApp();
console.log(`zameni-api is consuming from ${process.env.KAFKA_BROKERS ?? 'localhost:9092'}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
