import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConsumerPerf, parseProducerPerf } from '../../bench/lib/perf-tools.js';

describe("parsers of Kafka's perf tools", () => {
  it('takes the steady-state summary of kafka-producer-perf-test over the whole run and progress lines', () => {
    const output = [
      'Warmup first 50000 records. Steady state results will print after the complete test summary.',
      '1310705 records sent, 262141.0 records/sec (25.00 MB/sec), 95.2 ms avg latency, 298.0 ms max latency.',
      '300000 records sent, 262237.762238 records/sec (25.01 MB/sec), 105.91 ms avg latency, 298.00 ms max latency, 136 ms 50th, 170 ms 95th, 172 ms 99th, 174 ms 99.9th.',
      '250000 steady state records sent, 396196.513471 records/sec (37.78 MB/sec), 124.61 ms avg latency, 174.00 ms max latency, 152 ms 50th, 160 ms 95th, 173 ms 99th, 174 ms 99.9th.',
    ].join('\n');
    assert.deepEqual(parseProducerPerf(output), {
      records: 250000,
      recordsPerSec: 396196.513471,
      mibPerSec: 37.78,
      avgMs: 124.61,
      maxMs: 174,
      p50Ms: 152,
      p95Ms: 160,
      p99Ms: 173,
      p999Ms: 174,
      steadyState: true,
    });
    const whole = parseProducerPerf(output.split('\n').slice(0, 3).join('\n'));
    assert.equal(whole?.records, 300000);
    assert.equal(whole?.steadyState, false);
    assert.equal(parseProducerPerf(output.split('\n').slice(0, 2).join('\n')), undefined);
  });

  it('reads the fetch figures of kafka-consumer-perf-test by column name', () => {
    const output = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-26 01:20:15:446, 2026-11-26 01:20:19:462, 38.1470, 9.4987, 400000, 99601.5936, 3464, 552, 69.1068, 724637.6812',
    ].join('\n');
    assert.deepEqual(parseConsumerPerf(output), {
      records: 400000,
      mib: 38.147,
      recordsPerSec: 724637.6812,
      mibPerSec: 69.1068,
      recordsPerSecWithJoin: 99601.5936,
      rebalanceMs: 3464,
      fetchMs: 552,
    });
    assert.equal(parseConsumerPerf('WARN something\n'), undefined);
  });
});
