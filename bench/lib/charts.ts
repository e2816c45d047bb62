/**
 * Hand-written SVG charts of a benchmark run: grouped horizontal bars (one group per workload, one
 * bar per system), the bar at the median of the repetitions and a min–max whisker across it.
 * No dependency: the SVG is built as text. `chartsFromResults` turns a results JSON of bench/run.ts
 * into the set of charts; bench/charts.ts redraws them from a saved file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BarValue {
  median: number;
  min: number;
  max: number;
}

export interface BarSeries {
  name: string;
  color: string;
}

export interface BarGroup {
  label: string;
  /** One entry per series, in the series' order; undefined = not measured. */
  values: readonly (BarValue | undefined)[];
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** Label of the value axis, e.g. "records/s". */
  unit: string;
  series: readonly BarSeries[];
  groups: readonly BarGroup[];
  /** Formats a value for the bar's label and the axis ticks. */
  format?: (value: number) => string;
}

/** Geometry of the drawing, exported for tests. */
export const LAYOUT = {
  width: 900,
  labelWidth: 220,
  valueWidth: 150,
  barHeight: 16,
  barGap: 3,
  groupGap: 14,
  top: 92,
  bottom: 44,
} as const;

export const PLOT_WIDTH = LAYOUT.width - LAYOUT.labelWidth - LAYOUT.valueWidth;

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** 1234567 -> "1.23 M", 12345 -> "12.3 k", 0.25 -> "0.25". */
export function compactNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim((value / 1e6).toPrecision(3))} M`;
  if (abs >= 1e3) return `${trim((value / 1e3).toPrecision(3))} k`;
  if (abs === 0) return '0';
  return trim(value.toPrecision(abs >= 1 ? 3 : 2));
}

function trim(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (the axis end). */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value * (1 - 1e-9)) return step * power;
  }
  return 10 * power;
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
}

/** Pixel length of a bar for `value` on an axis from 0 to `axisMax`. */
export function barLength(value: number, axisMax: number): number {
  if (!(axisMax > 0) || !Number.isFinite(value)) return 0;
  return (Math.max(0, value) / axisMax) * PLOT_WIDTH;
}

export function barChartSvg(chart: BarChart): string {
  const format = chart.format ?? compactNumber;
  const { width, labelWidth, barHeight, barGap, groupGap, top, bottom } = LAYOUT;
  const groupHeight = chart.series.length * (barHeight + barGap) - barGap;
  const height = top + chart.groups.length * (groupHeight + groupGap) - groupGap + bottom;
  let highest = 0;
  for (const group of chart.groups) {
    for (const value of group.values) {
      if (!value) continue;
      for (const v of [value.median, value.max]) if (Number.isFinite(v)) highest = Math.max(highest, v);
    }
  }
  const axisMax = niceCeiling(highest);
  const x0 = labelWidth;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="600" fill="#111">${escapeXml(chart.title)}</text>`,
  );
  if (chart.subtitle) {
    out.push(`<text x="16" y="44" fill="#555">${escapeXml(chart.subtitle)}</text>`);
  }
  // Legend
  let legendX = 16;
  for (const series of chart.series) {
    out.push(
      `<rect x="${legendX}" y="58" width="12" height="12" fill="${escapeXml(series.color)}"/>`,
      `<text x="${legendX + 17}" y="68.5" fill="#222">${escapeXml(series.name)}</text>`,
    );
    legendX += 17 + series.name.length * 6.6 + 22;
  }
  // Grid and axis
  const plotBottom = height - bottom + 6;
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const value = (axisMax / ticks) * i;
    const x = x0 + barLength(value, axisMax);
    out.push(
      `<line x1="${fmt(x)}" y1="${top - 8}" x2="${fmt(x)}" y2="${fmt(plotBottom)}" stroke="${i === 0 ? '#888' : '#e3e3e3'}" stroke-width="1"/>`,
      `<text x="${fmt(x)}" y="${fmt(plotBottom + 15)}" text-anchor="middle" fill="#555">${escapeXml(format(value))}</text>`,
    );
  }
  out.push(
    `<text x="${fmt(x0 + PLOT_WIDTH / 2)}" y="${fmt(plotBottom + 32)}" text-anchor="middle" fill="#333">${escapeXml(chart.unit)} (bar: median; whisker: min–max of the repetitions)</text>`,
  );
  // Groups
  chart.groups.forEach((group, g) => {
    const groupTop = top + g * (groupHeight + groupGap);
    out.push(
      `<text x="${x0 - 10}" y="${fmt(groupTop + groupHeight / 2 + 4)}" text-anchor="end" fill="#111">${escapeXml(group.label)}</text>`,
    );
    chart.series.forEach((series, s) => {
      const y = groupTop + s * (barHeight + barGap);
      const value = group.values[s];
      const name = escapeXml(series.name);
      if (!value || !Number.isFinite(value.median)) {
        out.push(
          `<text x="${x0 + 6}" y="${fmt(y + barHeight - 4)}" fill="#999" font-style="italic">${name}: not measured</text>`,
        );
        return;
      }
      const length = barLength(value.median, axisMax);
      const label = `${series.name}: ${format(value.median)}${value.min !== value.max ? ` (${format(value.min)}–${format(value.max)})` : ''}`;
      out.push(
        `<rect class="bar" x="${x0}" y="${fmt(y)}" width="${fmt(length)}" height="${barHeight}" fill="${escapeXml(series.color)}" data-value="${value.median}"><title>${escapeXml(label)}</title></rect>`,
      );
      let end = x0 + length;
      if (value.min !== value.max && Number.isFinite(value.min) && Number.isFinite(value.max)) {
        const xMin = x0 + barLength(value.min, axisMax);
        const xMax = x0 + barLength(value.max, axisMax);
        const mid = y + barHeight / 2;
        out.push(
          `<g class="whisker" stroke="#222" stroke-width="1.2"><line x1="${fmt(xMin)}" y1="${fmt(mid)}" x2="${fmt(xMax)}" y2="${fmt(mid)}"/>` +
            `<line x1="${fmt(xMin)}" y1="${fmt(mid - 4)}" x2="${fmt(xMin)}" y2="${fmt(mid + 4)}"/>` +
            `<line x1="${fmt(xMax)}" y1="${fmt(mid - 4)}" x2="${fmt(xMax)}" y2="${fmt(mid + 4)}"/></g>`,
        );
        end = Math.max(end, xMax);
      }
      out.push(
        `<text x="${fmt(end + 5)}" y="${fmt(y + barHeight - 4)}" fill="#222">${escapeXml(format(value.median))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Charts of a results file

/** The parts of bench/run.ts's results JSON the charts read. */
export interface ResultsForCharts {
  rows: readonly { id: string; samples: readonly { recordsPerSec: number }[] }[];
  latency: readonly { id: string; samples: readonly { p50: number; p99: number; p999: number }[] }[];
  perfTool: readonly { id: string; samples: readonly { recordsPerSec: number }[] }[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function numbersOf(value: unknown, keys: readonly string[]): Record<string, number> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, number> = {};
  for (const key of keys) {
    const v = value[key];
    // JSON turns NaN into null
    out[key] = typeof v === 'number' ? v : Number.NaN;
  }
  return out;
}

export function rowsOf<K extends string>(
  value: unknown,
  keys: readonly K[],
): { id: string; samples: Record<K, number>[] }[] {
  if (!Array.isArray(value)) return [];
  const out: { id: string; samples: Record<K, number>[] }[] = [];
  for (const entry of value) {
    if (!isObject(entry) || typeof entry.id !== 'string' || !Array.isArray(entry.samples)) continue;
    const samples = entry.samples
      .map((sample) => numbersOf(sample, keys))
      .filter((sample): sample is Record<K, number> => sample !== undefined);
    out.push({ id: entry.id, samples });
  }
  return out;
}

/** Reads the parts the charts need from a parsed results JSON (older files lack some parts). */
export function resultsForCharts(json: unknown): ResultsForCharts {
  if (!isObject(json)) throw new Error('not a results object');
  return {
    rows: rowsOf(json.rows, ['recordsPerSec']),
    latency: rowsOf(json.latency, ['p50', 'p99', 'p999']),
    perfTool: rowsOf(json.perfTool, ['recordsPerSec']),
  };
}

function summary(samples: readonly number[]): BarValue | undefined {
  const sorted = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

const COLORS = {
  samsaFsync: '#1f6feb',
  samsaPagecache: '#8ab4f8',
  kafka: '#e8590c',
  kafkaFlush: '#a61e4d',
} as const;

interface SeriesSpec {
  name: string;
  color: string;
  /** Row id of this series in a group, from the group's key. */
  id: (key: string) => string;
}

/** Builds a chart from series × groups, dropping groups and series with nothing measured. */
function assemble(
  title: string,
  subtitle: string,
  unit: string,
  series: readonly SeriesSpec[],
  groups: readonly { label: string; key: string }[],
  lookup: (id: string) => BarValue | undefined,
  format?: (value: number) => string,
): BarChart | undefined {
  const table = groups.map((group) => series.map((s) => lookup(s.id(group.key))));
  const keepSeries = series.map((_, s) => table.some((values) => values[s] !== undefined));
  const keptGroups = groups
    .map((group, g) => ({ label: group.label, values: table[g]!.filter((_, s) => keepSeries[s]) }))
    .filter((group) => group.values.some((value) => value !== undefined));
  if (keptGroups.length === 0) return undefined;
  return {
    title,
    subtitle,
    unit,
    series: series.filter((_, s) => keepSeries[s]).map(({ name, color }) => ({ name, color })),
    groups: keptGroups,
    ...(format ? { format } : {}),
  };
}

const SIZE_LABEL: Record<number, string> = { 100: '100 B', 1024: '1 KiB' };

function partitionsLabel(partitions: number): string {
  return partitions === 1 ? '1 partition' : `${partitions.toLocaleString('en-US')} partitions`;
}

function acksLabel(acks: number): string {
  return `acks=${acks === -1 ? 'all' : acks}`;
}

/** Every chart of a run, by file name (without directory). */
export function chartsFromResults(results: ResultsForCharts): Map<string, string> {
  const charts = new Map<string, BarChart>();
  const byId = (rows: ResultsForCharts['rows']) => {
    const map = new Map<string, BarValue>();
    for (const r of rows) {
      const value = summary(r.samples.map((s) => s.recordsPerSec));
      if (value) map.set(r.id, value);
    }
    return (id: string) => map.get(id);
  };
  const own = byId(results.rows);
  const tool = byId(results.perfTool);

  for (const size of [100, 1024]) {
    const sizeLabel = SIZE_LABEL[size]!;
    const produceGroups: { label: string; key: string }[] = [];
    for (const partitions of [1, 6, 1000]) {
      for (const acks of [1, -1]) {
        produceGroups.push({
          label: `${partitionsLabel(partitions)}, ${acksLabel(acks)}`,
          key: `p${partitions}/acks${acks}`,
        });
      }
    }
    const produce = assemble(
      `Produce, ${sizeLabel} records`,
      'bench/lib/load.ts generator: 4 connections × 8 Produce requests in flight, no compression',
      'records/s',
      [
        { name: 'Samsa (fsync)', color: COLORS.samsaFsync, id: (k) => `samsa/produce/${size}B/fsync/${k}` },
        {
          name: 'Samsa (pagecache)',
          color: COLORS.samsaPagecache,
          id: (k) => `samsa/produce/${size}B/pagecache/${k}`,
        },
        { name: 'Apache Kafka', color: COLORS.kafka, id: (k) => `kafka/produce/${size}B/${k}` },
        {
          name: 'Kafka flush.messages=1',
          color: COLORS.kafkaFlush,
          id: (k) => `kafka/produce/${size}B/flush1/${k}`,
        },
      ],
      produceGroups,
      own,
    );
    if (produce) charts.set(`produce-${size}B.svg`, produce);

    const consume = assemble(
      `Consume, ${sizeLabel} records`,
      'one connection, one Fetch in flight, 1 MiB per partition, from offset 0',
      'records/s',
      [
        { name: 'Samsa (fsync)', color: COLORS.samsaFsync, id: (k) => `samsa/consume/${size}B/fsync/${k}` },
        {
          name: 'Samsa (pagecache)',
          color: COLORS.samsaPagecache,
          id: (k) => `samsa/consume/${size}B/pagecache/${k}`,
        },
        { name: 'Apache Kafka', color: COLORS.kafka, id: (k) => `kafka/consume/${size}B/${k}` },
      ],
      [1, 6, 1000].map((partitions) => ({ label: partitionsLabel(partitions), key: `p${partitions}` })),
      own,
    );
    if (consume) charts.set(`consume-${size}B.svg`, consume);

    const toolGroups: { label: string; key: string }[] = [];
    for (const partitions of [1, 6]) {
      for (const acks of [1, -1]) {
        for (const lz4 of [false, true]) {
          toolGroups.push({
            label: `${partitionsLabel(partitions)}, ${acksLabel(acks)}${lz4 ? ', lz4' : ''}`,
            key: `p${partitions}/acks${acks}${lz4 ? '/lz4' : ''}`,
          });
        }
      }
    }
    const toolProduce = assemble(
      `kafka-producer-perf-test, ${sizeLabel} records`,
      "Kafka's own producer tool (steady state after its warm-up records), linger.ms=5, batch.size=65536",
      'records/s',
      [
        {
          name: 'Samsa (fsync)',
          color: COLORS.samsaFsync,
          id: (k) => `samsa/perftool/produce/${size}B/fsync/${k}`,
        },
        {
          name: 'Samsa (pagecache)',
          color: COLORS.samsaPagecache,
          id: (k) => `samsa/perftool/produce/${size}B/pagecache/${k}`,
        },
        { name: 'Apache Kafka', color: COLORS.kafka, id: (k) => `kafka/perftool/produce/${size}B/${k}` },
        {
          name: 'Kafka flush.messages=1',
          color: COLORS.kafkaFlush,
          id: (k) => `kafka/perftool/produce/${size}B/flush1/${k}`,
        },
      ],
      toolGroups,
      tool,
    );
    if (toolProduce) charts.set(`perftool-produce-${size}B.svg`, toolProduce);

    const toolConsume = assemble(
      `kafka-consumer-perf-test, ${sizeLabel} records`,
      "Kafka's own consumer tool, fetch.nMsg.sec (group join excluded)",
      'records/s',
      [
        {
          name: 'Samsa (fsync)',
          color: COLORS.samsaFsync,
          id: (k) => `samsa/perftool/consume/${size}B/fsync/${k}`,
        },
        { name: 'Apache Kafka', color: COLORS.kafka, id: (k) => `kafka/perftool/consume/${size}B/${k}` },
      ],
      [1, 6].map((partitions) => ({ label: partitionsLabel(partitions), key: `p${partitions}` })),
      tool,
    );
    if (toolConsume) charts.set(`perftool-consume-${size}B.svg`, toolConsume);
  }

  const latency = new Map(results.latency.map((r) => [r.id, r.samples]));
  for (const rate of [10_000, 50_000]) {
    const percentiles = [
      { label: 'p50', pick: (s: { p50: number }) => s.p50 },
      { label: 'p99', pick: (s: { p99: number }) => s.p99 },
      { label: 'p99.9', pick: (s: { p999: number }) => s.p999 },
    ] as const;
    const lookup = (id: string): BarValue | undefined => {
      const [prefix, percentile] = id.split('|');
      const samples = latency.get(`${prefix}${rate}`);
      const spec = percentiles.find((p) => p.label === percentile);
      return samples && spec ? summary(samples.map((s) => spec.pick(s))) : undefined;
    };
    const chart = assemble(
      `End-to-end latency at ${compactNumber(rate)} records/s (100 B)`,
      'produce (acks=1) → long-polling consumer, per record; lower is better',
      'ms',
      [
        { name: 'Samsa (fsync)', color: COLORS.samsaFsync, id: (k) => `samsa/latency/|${k}` },
        {
          name: 'Samsa (pagecache)',
          color: COLORS.samsaPagecache,
          id: (k) => `samsa/latency/pagecache/|${k}`,
        },
        { name: 'Apache Kafka', color: COLORS.kafka, id: (k) => `kafka/latency/|${k}` },
        {
          name: 'Kafka flush.messages=1',
          color: COLORS.kafkaFlush,
          id: (k) => `kafka/latency/flush1/|${k}`,
        },
      ],
      percentiles.map((p) => ({ label: p.label, key: p.label })),
      lookup,
      (v) => (v === 0 ? '0' : v < 10 ? v.toFixed(1) : v.toFixed(0)),
    );
    if (chart) charts.set(`latency-${rate / 1000}k.svg`, chart);
  }

  return new Map([...charts].map(([name, chart]) => [name, barChartSvg(chart)]));
}

/** Writes every chart of `results` into `dir` (created if needed); returns the files written. */
export function writeCharts(results: ResultsForCharts, dir: string): string[] {
  const charts = chartsFromResults(results);
  if (charts.size === 0) return [];
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, svg] of charts) {
    const file = join(dir, name);
    writeFileSync(file, svg);
    written.push(file);
  }
  return written;
}
