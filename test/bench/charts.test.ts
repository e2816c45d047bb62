import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  barChartSvg,
  barLength,
  chartsFromResults,
  escapeXml,
  niceCeiling,
  PLOT_WIDTH,
  resultsForCharts,
} from '../../bench/lib/charts.js';

/** The bars of an SVG: their width and the value they stand for, in document order. */
function bars(svg: string): { width: number; value: number }[] {
  return [...svg.matchAll(/<rect class="bar" [^>]*width="([\d.]+)"[^>]*data-value="([\d.e+-]+)"/g)].map(
    (match) => ({ width: Number(match[1]), value: Number(match[2]) }),
  );
}

describe('bench charts', () => {
  it('draws bars proportional to their medians on an axis from 0', () => {
    const svg = barChartSvg({
      title: 'Produce',
      unit: 'records/s',
      series: [
        { name: 'Samsa', color: '#00f' },
        { name: 'Kafka', color: '#f00' },
      ],
      groups: [
        {
          label: 'one',
          values: [
            { median: 400, min: 300, max: 500 },
            { median: 100, min: 100, max: 100 },
          ],
        },
        { label: 'two', values: [{ median: 200, min: 150, max: 250 }, undefined] },
      ],
    });
    const drawn = bars(svg);
    assert.deepEqual(
      drawn.map((bar) => bar.value),
      [400, 100, 200],
    );
    // Axis end: the whisker's max (500) rounded up to a nice number, so 400 is 80 % of the plot.
    assert.equal(niceCeiling(500), 500);
    assert.ok(Math.abs(drawn[0]!.width - PLOT_WIDTH * 0.8) < 0.01);
    assert.ok(Math.abs(drawn[0]!.width / drawn[1]!.width - 4) < 1e-3);
    assert.ok(Math.abs(drawn[2]!.width / drawn[1]!.width - 2) < 1e-3);
    // The missing value is said, not drawn as a zero bar; whiskers only where min < max.
    assert.match(svg, /Kafka: not measured/);
    assert.equal([...svg.matchAll(/class="whisker"/g)].length, 2);
  });

  it('escapes labels, titles and series names', () => {
    const svg = barChartSvg({
      title: 'a <b> & "c"',
      unit: "it's",
      series: [{ name: '<script>', color: '#000' }],
      groups: [{ label: 'x & y < z', values: [{ median: 1, min: 1, max: 1 }] }],
    });
    assert.ok(!svg.includes('<b>'));
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('a &lt;b&gt; &amp; &quot;c&quot;'));
    assert.ok(svg.includes('x &amp; y &lt; z'));
    assert.ok(svg.includes('it&#39;s'));
    assert.equal(escapeXml('&amp;'), '&amp;amp;');
  });

  it('rounds the axis up to 1, 2, 2.5 or 5 × 10^k and clamps bars to it', () => {
    assert.equal(niceCeiling(4.32e6), 5e6);
    assert.equal(niceCeiling(1.01), 2);
    assert.equal(niceCeiling(2.2), 2.5);
    assert.equal(niceCeiling(0.3), 0.5);
    assert.equal(niceCeiling(0), 1);
    assert.equal(barLength(5, 10), PLOT_WIDTH / 2);
    assert.equal(barLength(-1, 10), 0);
  });

  it('builds Samsa-beside-Kafka charts from a results file, leaving out what was not run', () => {
    const results = resultsForCharts({
      rows: [
        {
          id: 'samsa/produce/100B/fsync/p1/acks1',
          samples: [{ recordsPerSec: 2e6 }, { recordsPerSec: 3e6 }],
        },
        { id: 'kafka/produce/100B/p1/acks1', samples: [{ recordsPerSec: 4e6 }] },
        { id: 'kafka/produce/100B/flush1/p1/acks1', samples: [{ recordsPerSec: 1e6 }] },
        // NaN is written as null in JSON: not a value
        { id: 'samsa/consume/100B/fsync/p1', samples: [{ recordsPerSec: null }] },
      ],
      latency: [
        { id: 'samsa/latency/10000', samples: [{ p50: 0.8, p99: 3.6, p999: 46 }] },
        { id: 'kafka/latency/flush1/10000', samples: [{ p50: 2, p99: 9, p999: 20 }] },
      ],
      perfTool: [
        { id: 'samsa/perftool/produce/1024B/fsync/p6/acks-1/lz4', samples: [{ recordsPerSec: 5e5 }] },
        { id: 'samsa/perftool/produce/1024B/pagecache/p6/acks-1/lz4', samples: [{ recordsPerSec: 7e5 }] },
      ],
    });
    const charts = chartsFromResults(results);
    assert.deepEqual([...charts.keys()].sort(), [
      'latency-10k.svg',
      'perftool-produce-1024B.svg',
      'produce-100B.svg',
    ]);
    const produce = charts.get('produce-100B.svg')!;
    // One group (1 partition, acks=1), three series measured: Samsa fsync (median of 2 and 3 M),
    // Kafka and Kafka with flush.messages=1; Samsa pagecache was not run and has no legend entry.
    assert.deepEqual(
      bars(produce).map((bar) => bar.value),
      [2.5e6, 4e6, 1e6],
    );
    assert.match(produce, /Kafka flush\.messages=1/);
    assert.doesNotMatch(produce, /pagecache/);
    assert.match(produce, /1 partition, acks=1/);
    // Per percentile: Samsa fsync, then Kafka with flush.messages=1 (the two rows measured).
    const latency = charts.get('latency-10k.svg')!;
    assert.deepEqual(
      bars(latency).map((bar) => bar.value),
      [0.8, 2, 3.6, 9, 46, 20],
    );
    assert.match(latency, /Kafka flush\.messages=1/);
    assert.doesNotMatch(latency, /pagecache/);
    const tool = charts.get('perftool-produce-1024B.svg')!;
    assert.match(tool, /6 partitions, acks=all, lz4/);
    // Samsa in both durabilities, fsync first.
    assert.deepEqual(
      bars(tool).map((bar) => bar.value),
      [5e5, 7e5],
    );
    assert.match(tool, /Samsa \(pagecache\)/);
  });
});
