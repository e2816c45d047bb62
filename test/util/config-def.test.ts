import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atLeast,
  between,
  ConfigDef,
  ConfigException,
  ConfigSource,
  custom,
  define,
  LONG_MAX,
  listOf,
  oneOf,
  REQUIRED,
} from '../../src/util/config-def.js';
import { LayeredConfig } from '../../src/util/config-layers.js';

const schema = new ConfigDef({
  'a.bool': define('boolean', false, { doc: 'A flag.' }),
  'a.int': define('int', 5, { doc: 'An int.', validator: between(1, 10) }),
  'a.long': define('long', LONG_MAX, { doc: 'A long.', validator: atLeast(0), dynamic: true }),
  'a.double': define('double', 0.5, { doc: 'A ratio.', validator: between(0, 1) }),
  'a.string': define('string', 'x', { doc: 'A choice.', validator: oneOf('x', 'y') }),
  'a.nullable': define('string', null, { doc: 'Maybe.' }),
  'a.list': define('list', ['one'], { doc: 'A list.', validator: listOf(['one', 'two']) }),
  'a.password': define('password', null, { doc: 'A secret.' }),
  'a.required': define('short', REQUIRED, { doc: 'Must be given.' }),
  'a.custom': define('string', 'even', {
    doc: 'Custom check.',
    validator: custom<string>('even length', (value) => (value.length % 2 === 0 ? undefined : 'odd length')),
    synonyms: ['a.string'],
  }),
});

function problemOf(action: () => unknown): ConfigException {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigException) return error;
    throw error;
  }
  assert.fail('expected a ConfigException');
}

describe('ConfigDef', () => {
  it('parses Kafka string syntax into typed values and fills defaults', () => {
    const values = schema.parse({
      'a.bool': ' TRUE ',
      'a.int': '7',
      'a.long': '9223372036854775807',
      'a.double': '0.25',
      'a.list': 'one, two',
      'a.required': '-3',
    });
    // Typed: these assignments would not compile with the wrong types.
    const flag: boolean = values['a.bool'];
    const count: number = values['a.int'];
    const items: string[] = values['a.list'];
    const maybe: string | null = values['a.nullable'];
    assert.equal(flag, true);
    assert.equal(count, 7);
    assert.equal(values['a.long'], LONG_MAX);
    assert.equal(values['a.double'], 0.25);
    assert.deepEqual(items, ['one', 'two']);
    assert.equal(maybe, null);
    assert.equal(values['a.string'], 'x');
    assert.equal(values['a.required'], -3);
  });

  it('accepts already typed values', () => {
    const values = schema.parse({ 'a.bool': true, 'a.int': 2, 'a.list': ['two'], 'a.required': 1 });
    assert.equal(values['a.bool'], true);
    assert.deepEqual(values['a.list'], ['two']);
  });

  it('parses an empty string as an empty list', () => {
    assert.deepEqual(schema.parseValue('a.list', ''), []);
  });

  it('reports unknown names with a suggestion', () => {
    const error = problemOf(() => schema.parse({ 'a.strng': 'x', 'a.required': '1' }));
    assert.equal(error.configName, 'a.strng');
    assert.match(error.message, /Unknown configuration "a\.strng" \(did you mean "a\.string"\?\)/);
  });

  it('reports every problem, each naming its config', () => {
    const error = problemOf(() => schema.parse({ 'a.int': '11', 'a.bool': 'yes', 'a.string': 'z' }));
    assert.deepEqual(error.problems.map((problem) => problem.name).sort(), ['a.bool', 'a.int', 'a.string']);
    assert.match(error.message, /Invalid value 11 for configuration a\.int: Value must be between 1 and 10/);
    assert.match(
      error.message,
      /Invalid value yes for configuration a\.bool: Expected value to be either true or false/,
    );
    const missing = problemOf(() => schema.parse({}));
    assert.equal(missing.configName, 'a.required');
    assert.match(missing.message, /Missing required configuration "a.required" which has no default value/);
  });

  it('rejects numbers that are not integers of the type, or out of its range', () => {
    assert.throws(() => schema.parseValue('a.int', '1.5'), /Not a number of type INT/);
    assert.throws(() => schema.parseValue('a.int', '2147483648'), /out of range/);
    assert.throws(() => schema.parseValue('a.required', '40000'), /SHORT \(out of range\)/);
    assert.throws(() => schema.parseValue('a.long', '9223372036854775808'), /out of range/);
    assert.throws(() => schema.parseValue('a.double', 'abc'), /DOUBLE/);
    assert.throws(() => schema.parseValue('a.list', 'one,three'), /Item "three" must be one of: one, two/);
    assert.throws(() => schema.parseValue('a.custom', 'odd'), /odd length/);
  });

  it('refuses a schema whose default fails its own validator', () => {
    assert.throws(
      () => new ConfigDef({ bad: define('int', 0, { doc: 'x', validator: atLeast(1) }) }),
      /Invalid value 0 for configuration bad/,
    );
  });

  it('formats values back into Kafka syntax, with Long.MAX_VALUE for saturated longs', () => {
    assert.equal(schema.format('a.long', LONG_MAX), '9223372036854775807');
    assert.equal(schema.format('a.list', ['one', 'two']), 'one,two');
    assert.equal(schema.format('a.nullable', null), null);
    assert.equal(schema.format('a.double', 0.5), '0.5');
  });

  it('describes entries for DescribeConfigs, hiding passwords', () => {
    const secret = schema.describe('a.password', 'hunter2', ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(secret.value, null);
    assert.equal(secret.isSensitive, true);
    assert.equal(secret.typeId, 9);
    const long = schema.describe('a.long', 3, ConfigSource.DEFAULT_CONFIG);
    assert.deepEqual(
      {
        value: long.value,
        readOnly: long.readOnly,
        type: long.type,
        typeId: long.typeId,
        doc: long.documentation,
      },
      { value: '3', readOnly: false, type: 'long', typeId: 5, doc: 'A long.' },
    );
    assert.equal(schema.describe('a.int', 5, ConfigSource.DEFAULT_CONFIG).readOnly, true);
  });

  it('renders a Markdown table with defaults, valid values and synonyms', () => {
    const markdown = schema.toMarkdown();
    assert.match(markdown, /\| `a\.int` \| int \| 5 \| \[1,\.\.\.,10\] \| medium \| no \| An int\. \|/);
    assert.match(markdown, /\| `a\.required` \| short \| \(required\) \|/);
    assert.match(markdown, /Synonyms, in precedence order after this name: a\.string\./);
  });
});

describe('LayeredConfig', () => {
  const defaults = { 'a.required': 1 };
  const layered = new LayeredConfig(schema, [
    { source: ConfigSource.DYNAMIC_BROKER_CONFIG, values: { 'a.int': 9 } },
    { source: ConfigSource.STATIC_BROKER_CONFIG, values: { ...defaults, 'a.int': 3, 'a.string': 'y' } },
  ]);

  it('takes each value from the highest layer that sets it, and reports that layer', () => {
    assert.equal(layered.get('a.int'), 9);
    assert.equal(layered.sourceOf('a.int'), ConfigSource.DYNAMIC_BROKER_CONFIG);
    assert.equal(layered.get('a.string'), 'y');
    assert.equal(layered.sourceOf('a.string'), ConfigSource.STATIC_BROKER_CONFIG);
    assert.equal(layered.get('a.bool'), false);
    assert.equal(layered.sourceOf('a.bool'), ConfigSource.DEFAULT_CONFIG);
  });

  it('lists every shadowed value as a synonym, highest first, then the default', () => {
    const [entry] = layered.describe(['a.int']);
    assert.deepEqual(entry!.synonyms, [
      { name: 'a.int', value: '9', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'a.int', value: '3', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'a.int', value: '5', source: ConfigSource.DEFAULT_CONFIG },
    ]);
    const [custom] = layered.describe(['a.custom']);
    assert.deepEqual(
      custom!.synonyms.map((synonym) => synonym.name),
      ['a.custom', 'a.string', 'a.string'],
    );
  });

  it('replaces a layer of the same source with withLayer', () => {
    const next = layered.withLayer({ source: ConfigSource.DYNAMIC_BROKER_CONFIG, values: { 'a.int': 4 } });
    assert.equal(next.get('a.int'), 4);
    assert.equal(next.layers.length, 2);
  });
});
