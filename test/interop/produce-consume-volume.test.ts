// The 1M-record variant of test/e2e/produce-consume-volume.test.ts (kafkajs and @platformatic/kafka),
// run by `npm run test:interop`; npm test runs the same suite with 100k records.
process.env.SAMSA_VOLUME_RECORDS ??= '1000000';
await import('../e2e/produce-consume-volume.test.js');
