/**
 * A human-readable destination for pino, used when the CLI writes to a terminal: one line per
 * entry, `12:00:01.234 WARN  message key=value`, instead of JSON. Pipes and files keep JSON.
 */
const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object' && 'message' in value) {
    const error = value as { message: unknown; stack?: unknown };
    return JSON.stringify(String(error.message));
  }
  return JSON.stringify(value);
}

export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 23);
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  return `${time} ${level} ${String(entry.msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

/** A pino destination stream that pretty-prints to `out`. */
export function prettyDestination(out: NodeJS.WritableStream): { write(chunk: string): boolean } {
  return {
    write(chunk: string): boolean {
      let text = '';
      for (const line of chunk.split('\n')) if (line !== '') text += formatLogLine(line);
      return out.write(text);
    },
  };
}
