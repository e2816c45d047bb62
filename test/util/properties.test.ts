import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatProperties, PropertiesSyntaxError, parseProperties } from '../../src/util/properties.js';

const parse = (text: string) => Object.fromEntries(parseProperties(text));

describe('parseProperties', () => {
  it('reads key=value, key: value and key value, skipping # and ! comments and blank lines', () => {
    const text = [
      '# a comment',
      '! another comment',
      '',
      '   ',
      'broker.id=1',
      'log.dirs : /var/lib/samsa',
      'num.partitions 3',
      '  \tzookeeper.connect=localhost:2181',
    ].join('\n');
    assert.deepEqual(parse(text), {
      'broker.id': '1',
      'log.dirs': '/var/lib/samsa',
      'num.partitions': '3',
      'zookeeper.connect': 'localhost:2181',
    });
  });

  it('joins continuation lines, dropping the leading whitespace of the next line', () => {
    const text = 'listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nnext=1';
    assert.deepEqual(parse(text), { listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', next: '1' });
  });

  it('treats an even number of trailing backslashes as an escaped backslash, not a continuation', () => {
    assert.deepEqual(parse('path=C:\\\\dir\\\\\nnext=1'), { path: 'C:\\dir\\', next: '1' });
  });

  it('does not continue comment lines', () => {
    assert.deepEqual(parse('# comment \\\nkey=value'), { key: 'value' });
  });

  it('handles \\r\\n and \\r line ends', () => {
    assert.deepEqual(parse('a=1\r\nb=2\rc=3'), { a: '1', b: '2', c: '3' });
  });

  it('decodes escapes in keys and values', () => {
    assert.deepEqual(parse('key\\ with\\=odd\\:chars = tab\\there\\nnew \\u00e9\\\\ \\q'), {
      'key with=odd:chars': 'tab\there\nnew é\\ q',
    });
  });

  it('keeps everything after the separator, including further = and trailing spaces', () => {
    assert.deepEqual(parse('sasl.jaas.config=a=b c=d  '), { 'sasl.jaas.config': 'a=b c=d  ' });
  });

  it('gives an empty value to a key alone on its line, and lets later keys win', () => {
    assert.deepEqual(parse('empty\nk=1\nk=2'), { empty: '', k: '2' });
  });

  it('rejects a malformed \\u escape with its line number', () => {
    assert.throws(
      () => parse('a=1\nb=\\u12'),
      (error) => error instanceof PropertiesSyntaxError && error.line === 2,
    );
  });

  it('reads back what formatProperties writes, for any keys and values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { noNullPrototype: true }),
        (record) => {
          const text = formatProperties(Object.entries(record), ['header']);
          assert.deepEqual(parse(text), record);
        },
      ),
    );
  });
});
