import {
  type ConfigDef,
  type ConfigDescription,
  type ConfigSchema,
  ConfigSource,
  type ConfigSynonym,
  type ConfigValues,
  REQUIRED,
} from './config-def.js';

/**
 * Configuration resolved from layers, highest precedence first: e.g. a topic's overrides, dynamic
 * broker config, static broker config (file, environment, --set), then the schema's defaults.
 * Each layer holds already parsed, typed values. Kept separate so DescribeConfigs can say where
 * each value came from and list the values it shadows (synonyms).
 */
export interface ConfigLayer {
  readonly source: ConfigSource;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A value set for a name, and where. */
export interface SourcedValue {
  readonly value: unknown;
  readonly source: ConfigSource;
}

/** Read access by name, for code that must not know a schema's type (e.g. topic config from broker config). */
export interface ConfigLookup {
  /** Every value set for `name`, highest precedence first, ending with its default when that is non-null. */
  lookup(name: string): readonly SourcedValue[];
}

export class LayeredConfig<S extends ConfigSchema> implements ConfigLookup {
  readonly def: ConfigDef<S>;
  readonly layers: readonly ConfigLayer[];
  readonly values: ConfigValues<S>;

  constructor(def: ConfigDef<S>, layers: readonly ConfigLayer[]) {
    this.def = def;
    this.layers = Object.freeze([...layers]);
    const merged: Record<string, unknown> = {};
    for (const layer of [...layers].reverse()) Object.assign(merged, layer.values);
    this.values = def.complete(merged as Partial<ConfigValues<S>>);
  }

  get<K extends keyof S & string>(name: K): ConfigValues<S>[K] {
    return this.values[name];
  }

  /** Where the value of `name` came from: the first layer that sets it, else DEFAULT_CONFIG. */
  sourceOf(name: string): ConfigSource {
    for (const layer of this.layers) if (Object.hasOwn(layer.values, name)) return layer.source;
    return ConfigSource.DEFAULT_CONFIG;
  }

  /** True when some layer sets `name` (not only its default). */
  isSet(name: string): boolean {
    return this.layers.some((layer) => Object.hasOwn(layer.values, name));
  }

  lookup(name: string): readonly SourcedValue[] {
    const found: SourcedValue[] = [];
    for (const layer of this.layers) {
      if (Object.hasOwn(layer.values, name)) found.push({ value: layer.values[name], source: layer.source });
    }
    const key = this.def.key(name);
    if (key && key.defaultValue !== REQUIRED && key.defaultValue !== null) {
      found.push({ value: key.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
    }
    return found;
  }

  /** A new config with `layer` placed above (or replacing, when its source matches) the existing ones. */
  withLayer(layer: ConfigLayer): LayeredConfig<S> {
    const rest = this.layers.filter((existing) => existing.source !== layer.source);
    const ordered = [...rest, layer].sort((a, b) => precedence(a.source) - precedence(b.source));
    return new LayeredConfig(this.def, ordered);
  }

  /** DescribeConfigs entries for `names` (default: all), with synonyms when asked. */
  describe(names?: readonly string[], includeSynonyms = true): ConfigDescription[] {
    return (names ?? this.def.names)
      .filter((name) => this.def.has(name))
      .map((name) => {
        const synonyms: ConfigSynonym[] = [];
        if (includeSynonyms) {
          for (const synonymName of [name, ...this.def.key(name)!.synonyms]) {
            for (const { value, source } of this.lookup(synonymName)) {
              synonyms.push({ name: synonymName, value: this.def.format(synonymName, value), source });
            }
          }
        }
        return this.def.describe(name, this.values[name], this.sourceOf(name), synonyms);
      });
  }
}

/** Lower sorts first: the order in which layers shadow one another. */
export function precedence(source: ConfigSource): number {
  switch (source) {
    case ConfigSource.DYNAMIC_TOPIC_CONFIG:
      return 0;
    case ConfigSource.DYNAMIC_BROKER_CONFIG:
      return 1;
    case ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG:
      return 2;
    case ConfigSource.STATIC_BROKER_CONFIG:
      return 3;
    case ConfigSource.DEFAULT_CONFIG:
      return 5;
    default:
      return 4;
  }
}
