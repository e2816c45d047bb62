/**
 * One declarative configuration schema, modelled on Kafka's `ConfigDef`: every setting is an entry
 * with a name, type, default (or none: required), validator, importance, one-line doc, and whether
 * it may change at runtime. The same schema parses strings in Kafka's value syntax, validates,
 * produces a typed object, answers DescribeConfigs, and renders the docs.
 *
 * Typing: a schema is a plain object `{ 'name.of.config': define('int', 1, {...}) }`, and
 * `ConfigValues<typeof schema>` is the typed result (`values['num.partitions']` is a `number`).
 *
 * Longs are JS numbers. Kafka's `Long.MAX_VALUE` (the usual "never") does not fit a double exactly,
 * so a long beyond 2^53-1 saturates at `LONG_MAX` (= Number.MAX_SAFE_INTEGER), which is rendered
 * back as 9223372036854775807; the minimum likewise.
 */

export type ConfigType =
  | 'boolean'
  | 'short'
  | 'int'
  | 'long'
  | 'double'
  | 'string'
  | 'list'
  | 'password'
  | 'class';

/** The typed value of each config type. Passwords are strings, hidden by `describe`. */
export interface ConfigTypeValues {
  boolean: boolean;
  short: number;
  int: number;
  long: number;
  double: number;
  string: string;
  list: string[];
  password: string;
  class: string;
}
export type ConfigTypeValue<T extends ConfigType> = ConfigTypeValues[T];

/** DescribeConfigs' ConfigType numbers. */
export const CONFIG_TYPE_ID: Readonly<Record<ConfigType, number>> = Object.freeze({
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
});

/** DescribeConfigs' ConfigSource numbers: where a value came from. */
export const ConfigSource = Object.freeze({
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const);
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

export function configSourceName(source: ConfigSource): string {
  for (const [name, value] of Object.entries(ConfigSource)) if (value === source) return name;
  return 'UNKNOWN';
}

export type Importance = 'high' | 'medium' | 'low';

export const LONG_MAX = Number.MAX_SAFE_INTEGER;
export const LONG_MIN = Number.MIN_SAFE_INTEGER;
export const INT_MAX = 2 ** 31 - 1;
export const INT_MIN = -(2 ** 31);
const SHORT_MAX = 2 ** 15 - 1;
const SHORT_MIN = -(2 ** 15);

/** Marks a config that has no default and must be given. */
export const REQUIRED: unique symbol = Symbol('required');

/** A problem with one config, named. */
export interface ConfigProblem {
  name: string;
  message: string;
}

/** Invalid, unknown or missing configuration. Carries every problem found, each naming its config. */
export class ConfigException extends Error {
  readonly code = 'ERR_INVALID_CONFIG' as const;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem[] | ConfigProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((problem) => problem.message).join('\n'));
    this.name = 'ConfigException';
    this.problems = list;
  }

  /** The config named by the first problem. */
  get configName(): string {
    return this.problems[0]?.name ?? '';
  }

  static invalid(name: string, value: unknown, reason: string): ConfigException {
    return new ConfigException({
      name,
      message: `Invalid value ${renderForMessage(value)} for configuration ${name}: ${reason}`,
    });
  }
}

function renderForMessage(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * Checks a parsed (non-null) value. `describe` is the "valid values" text of the docs.
 * Declared with method syntax so that a `Validator<number>` fits a schema of unknown values.
 */
export interface Validator<V> {
  validate(name: string, value: V): void;
  describe(): string;
}

function renderNumber(value: number): string {
  if (value >= LONG_MAX) return '9223372036854775807';
  if (value <= LONG_MIN) return '-9223372036854775808';
  return String(value);
}

/** Numbers in [min, max]; either bound optional. */
export function range(min: number | undefined, max?: number): Validator<number> {
  return {
    validate(name, value) {
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        const reason =
          max === undefined
            ? `Value must be at least ${renderNumber(min!)}`
            : min === undefined
              ? `Value must be no more than ${renderNumber(max)}`
              : `Value must be between ${renderNumber(min)} and ${renderNumber(max)}`;
        throw ConfigException.invalid(name, renderNumber(value), reason);
      }
    },
    describe() {
      if (max === undefined) return `[${renderNumber(min!)},...]`;
      if (min === undefined) return `[...,${renderNumber(max)}]`;
      return `[${renderNumber(min)},...,${renderNumber(max)}]`;
    },
  };
}

export const atLeast = (min: number): Validator<number> => range(min);
export const between = (min: number, max: number): Validator<number> => range(min, max);

/** A string among `allowed` (case-sensitive, as Kafka's `ValidString`). */
export function oneOf<const T extends string>(...allowed: T[]): Validator<string> {
  return {
    validate(name, value) {
      if (!(allowed as string[]).includes(value)) {
        throw ConfigException.invalid(name, value, `String must be one of: ${allowed.join(', ')}`);
      }
    },
    describe: () => `[${allowed.join(', ')}]`,
  };
}

/** A string among `allowed`, ignoring case (Kafka's `CaseInsensitiveValidString`). */
export function oneOfIgnoringCase(...allowed: string[]): Validator<string> {
  const lower = allowed.map((entry) => entry.toLowerCase());
  return {
    validate(name, value) {
      if (!lower.includes(value.toLowerCase())) {
        throw ConfigException.invalid(
          name,
          value,
          `String must be one of (case insensitive): ${allowed.join(', ')}`,
        );
      }
    },
    describe: () => `(case insensitive) [${allowed.join(', ')}]`,
  };
}

/** A list whose items are each among `allowed` (Kafka's `ValidList`); empty allowed unless `nonEmpty`. */
export function listOf(
  allowed: readonly string[],
  options: { nonEmpty?: boolean } = {},
): Validator<string[]> {
  return {
    validate(name, value) {
      if (options.nonEmpty && value.length === 0) {
        throw ConfigException.invalid(name, '', 'Empty list is not allowed');
      }
      for (const item of value) {
        if (!allowed.includes(item)) {
          throw ConfigException.invalid(name, value, `Item "${item}" must be one of: ${allowed.join(', ')}`);
        }
      }
    },
    describe: () => `[${allowed.join(', ')}]`,
  };
}

/** A non-empty string (after trimming). */
export const nonEmptyString: Validator<string> = {
  validate(name, value) {
    if (value.trim().length === 0) throw ConfigException.invalid(name, value, 'String must be non-empty');
  },
  describe: () => 'non-empty string',
};

/** A validator from a function returning an error reason (or undefined when valid). */
export function custom<V>(description: string, check: (value: V) => string | undefined): Validator<V> {
  return {
    validate(name, value) {
      const reason = check(value);
      if (reason !== undefined) throw ConfigException.invalid(name, value, reason);
    },
    describe: () => description,
  };
}

export interface KeyOptions<V> {
  /** One short sentence. */
  doc: string;
  importance?: Importance;
  validator?: Validator<V>;
  /** May be changed at runtime (AlterConfigs); otherwise read-only. */
  dynamic?: boolean;
  /** Other names for the same setting, in precedence order after this one (e.g. broker.id for node.id). */
  synonyms?: readonly string[];
  /** Accepted for compatibility; the text says what to use instead. */
  deprecated?: string;
  /** Accepted but has no effect in Samsa (e.g. thread counts); the docs say so. */
  informational?: boolean;
}

/** One schema entry. `V` is the typed value, including `null` when the default is null. */
export interface ConfigKey<V> {
  readonly type: ConfigType;
  /** Typed default, `null`, or REQUIRED. */
  readonly defaultValue: V | typeof REQUIRED;
  readonly doc: string;
  readonly importance: Importance;
  readonly validator: Validator<NonNullable<V>> | undefined;
  readonly dynamic: boolean;
  readonly synonyms: readonly string[];
  readonly deprecated: string | undefined;
  readonly informational: boolean;
}

export function define<T extends ConfigType>(
  type: T,
  defaultValue: null,
  options: KeyOptions<ConfigTypeValue<T>>,
): ConfigKey<ConfigTypeValue<T> | null>;
export function define<T extends ConfigType>(
  type: T,
  defaultValue: ConfigTypeValue<T> | typeof REQUIRED,
  options: KeyOptions<ConfigTypeValue<T>>,
): ConfigKey<ConfigTypeValue<T>>;
export function define<T extends ConfigType>(
  type: T,
  defaultValue: ConfigTypeValue<T> | null | typeof REQUIRED,
  options: KeyOptions<ConfigTypeValue<T>>,
): ConfigKey<ConfigTypeValue<T> | null> {
  return Object.freeze({
    type,
    defaultValue,
    doc: options.doc,
    importance: options.importance ?? 'medium',
    validator: options.validator,
    dynamic: options.dynamic ?? false,
    synonyms: Object.freeze([...(options.synonyms ?? [])]),
    deprecated: options.deprecated,
    informational: options.informational ?? false,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the widest key type, used only as a generic bound
export type ConfigSchema = Readonly<Record<string, ConfigKey<any>>>;

export type ConfigValues<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends ConfigKey<infer V> ? V : never;
};

/** What callers may pass as a value: Kafka's string syntax, or an already typed value. */
export type RawConfigValue = string | number | boolean | readonly string[] | null;

/** Parses one value of `type` from Kafka's string syntax (or checks an already typed one). */
export function parseConfigValue(name: string, type: ConfigType, raw: RawConfigValue): unknown {
  if (raw === null) return null;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (type) {
    case 'boolean':
      if (typeof text === 'boolean') return text;
      if (typeof text === 'string') {
        if (text.toLowerCase() === 'true') return true;
        if (text.toLowerCase() === 'false') return false;
      }
      throw ConfigException.invalid(name, raw, 'Expected value to be either true or false');
    case 'short':
    case 'int':
    case 'long':
      return parseInteger(name, type, text);
    case 'double': {
      const value =
        typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : NaN;
      if (!Number.isFinite(value)) throw ConfigException.invalid(name, raw, 'Not a number of type DOUBLE');
      return value;
    }
    case 'string':
    case 'password':
    case 'class':
      if (typeof text === 'string') return text;
      if (typeof text === 'number' || typeof text === 'boolean') return String(text);
      throw ConfigException.invalid(name, raw, `Expected value to be a ${type}`);
    case 'list':
      if (Array.isArray(text)) return text.map((item) => String(item).trim());
      if (typeof text === 'string') return text === '' ? [] : text.split(/\s*,\s*/);
      throw ConfigException.invalid(name, raw, 'Expected a comma-separated list');
  }
}

const INTEGER_BOUNDS = {
  short: [BigInt(SHORT_MIN), BigInt(SHORT_MAX)],
  int: [BigInt(INT_MIN), BigInt(INT_MAX)],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

function parseInteger(name: string, type: 'short' | 'int' | 'long', text: unknown): number {
  let value: bigint;
  if (typeof text === 'number' && Number.isInteger(text)) {
    value = BigInt(text);
  } else if (typeof text === 'string' && /^[+-]?\d+$/.test(text)) {
    value = BigInt(text);
  } else {
    throw ConfigException.invalid(name, text, `Not a number of type ${type.toUpperCase()}`);
  }
  const [min, max] = INTEGER_BOUNDS[type];
  if (value < min || value > max) {
    throw ConfigException.invalid(name, text, `Not a number of type ${type.toUpperCase()} (out of range)`);
  }
  if (value > BigInt(LONG_MAX)) return LONG_MAX;
  if (value < BigInt(LONG_MIN)) return LONG_MIN;
  return Number(value);
}

/** Renders a typed value back into Kafka's string syntax (null stays null). */
export function formatConfigValue(type: ConfigType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number' && (type === 'long' || type === 'int' || type === 'short')) {
    return renderNumber(value);
  }
  return String(value);
}

/** An entry in the synonyms of a DescribeConfigs result, highest precedence first. */
export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

/** One DescribeConfigs entry. */
export interface ConfigDescription {
  name: string;
  value: string | null;
  source: ConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
  synonyms: ConfigSynonym[];
  type: ConfigType;
  /** DescribeConfigs' numeric ConfigType. */
  typeId: number;
  documentation: string;
}

export interface DocsOptions {
  /** Markdown heading level prefix for nothing; the table only. Names to leave out. */
  exclude?: (name: string) => boolean;
}

/** A schema with its operations. */
export class ConfigDef<S extends ConfigSchema> {
  readonly keys: S;
  readonly names: readonly (keyof S & string)[];

  constructor(keys: S) {
    this.keys = keys;
    this.names = Object.freeze(Object.keys(keys).sort()) as (keyof S & string)[];
    // A default that fails its own validator is a bug in the schema: find it at load time.
    for (const name of this.names) {
      const key = keys[name]!;
      if (key.defaultValue !== REQUIRED && key.defaultValue !== null)
        key.validator?.validate(name, key.defaultValue);
    }
  }

  has(name: string): name is keyof S & string {
    return Object.hasOwn(this.keys, name);
  }

  key(name: string): ConfigKey<unknown> | undefined {
    return this.has(name) ? this.keys[name] : undefined;
  }

  /** The typed default of `name` (null when none); throws for unknown or required names. */
  defaultOf<K extends keyof S & string>(name: K): ConfigValues<S>[K] {
    const key = this.requireKey(name);
    if (key.defaultValue === REQUIRED) {
      throw new ConfigException({
        name,
        message: `Missing required configuration "${name}" which has no default value.`,
      });
    }
    return key.defaultValue as ConfigValues<S>[K];
  }

  /** Parses and validates one value; throws a ConfigException naming the config. */
  parseValue<K extends keyof S & string>(name: K, raw: RawConfigValue): ConfigValues<S>[K];
  parseValue(name: string, raw: RawConfigValue): unknown;
  parseValue(name: string, raw: RawConfigValue): unknown {
    const key = this.requireKey(name);
    const value = parseConfigValue(name, key.type, raw);
    if (value !== null && value !== undefined) key.validator?.validate(name, value);
    return value;
  }

  /**
   * Parses the given values (unknown names and invalid values are errors, all reported together)
   * without filling in defaults: the typed subset that was set.
   */
  parsePartial(
    raw: Readonly<Record<string, RawConfigValue>> | ReadonlyMap<string, RawConfigValue>,
  ): Partial<ConfigValues<S>> {
    const result: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    for (const [name, value] of entriesOf(raw)) {
      if (!this.has(name)) {
        problems.push(this.unknownProblem(name));
        continue;
      }
      try {
        result[name] = this.parseValue(name, value);
      } catch (error) {
        if (!(error instanceof ConfigException)) throw error;
        problems.push(...error.problems);
      }
    }
    if (problems.length > 0) throw new ConfigException(problems);
    return result as Partial<ConfigValues<S>>;
  }

  /** Parses the given values and fills in defaults; a required config left out is an error. */
  parse(
    raw: Readonly<Record<string, RawConfigValue>> | ReadonlyMap<string, RawConfigValue> = {},
  ): ConfigValues<S> {
    return this.complete(this.parsePartial(raw));
  }

  /** Fills defaults into an already parsed subset. */
  complete(partial: Partial<ConfigValues<S>>): ConfigValues<S> {
    const result: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    for (const name of this.names) {
      if (Object.hasOwn(partial, name)) {
        result[name] = partial[name];
        continue;
      }
      const key = this.keys[name]!;
      if (key.defaultValue === REQUIRED) {
        problems.push({
          name,
          message: `Missing required configuration "${name}" which has no default value.`,
        });
      } else {
        result[name] = key.defaultValue;
      }
    }
    if (problems.length > 0) throw new ConfigException(problems);
    return Object.freeze(result) as ConfigValues<S>;
  }

  /** Renders a typed value of `name` in Kafka's string syntax. */
  format(name: string, value: unknown): string | null {
    return formatConfigValue(this.requireKey(name).type, value);
  }

  /** A DescribeConfigs entry. Sensitive (password) values are reported as null. */
  describe(
    name: string,
    value: unknown,
    source: ConfigSource,
    synonyms: ConfigSynonym[] = [],
  ): ConfigDescription {
    const key = this.requireKey(name);
    const isSensitive = key.type === 'password';
    return {
      name,
      value: isSensitive ? null : this.format(name, value),
      source,
      isSensitive,
      readOnly: !key.dynamic,
      synonyms: isSensitive ? synonyms.map((synonym) => ({ ...synonym, value: null })) : synonyms,
      type: key.type,
      typeId: CONFIG_TYPE_ID[key.type],
      documentation: key.doc,
    };
  }

  /** A Markdown table of the schema: name, type, default, valid values, importance, update mode, doc. */
  toMarkdown(options: DocsOptions = {}): string {
    const rows = ['| Name | Type | Default | Valid values | Importance | Dynamic | Description |'];
    rows.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const name of this.names) {
      if (options.exclude?.(name)) continue;
      const key = this.keys[name]!;
      const defaultText =
        key.defaultValue === REQUIRED
          ? '(required)'
          : (formatConfigValue(key.type, key.defaultValue) ?? 'null');
      let doc = key.doc;
      if (key.synonyms.length > 0)
        doc += ` Synonyms, in precedence order after this name: ${key.synonyms.join(', ')}.`;
      if (key.deprecated) doc += ` Deprecated: ${key.deprecated}`;
      if (key.informational) doc += ' Accepted for compatibility; no effect in Samsa.';
      rows.push(
        `| \`${name}\` | ${key.type} | ${cell(defaultText === '' ? '""' : defaultText)} | ${cell(key.validator?.describe() ?? '')} | ${key.importance} | ${key.dynamic ? 'yes' : 'no'} | ${cell(doc)} |`,
      );
    }
    return `${rows.join('\n')}\n`;
  }

  private requireKey(name: string): ConfigKey<unknown> {
    const key = this.key(name);
    if (key === undefined) throw new ConfigException(this.unknownProblem(name));
    return key;
  }

  /** An "unknown configuration" problem, suggesting the closest known name when one is near. */
  unknownProblem(name: string): ConfigProblem {
    const suggestion = closest(name, this.names);
    return {
      name,
      message: `Unknown configuration "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
    };
  }
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function entriesOf<V>(raw: Readonly<Record<string, V>> | ReadonlyMap<string, V>): Iterable<[string, V]> {
  return raw instanceof Map ? raw.entries() : Object.entries(raw as Record<string, V>);
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}
