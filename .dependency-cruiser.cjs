// Enforces the import directions of docs/design.md: a lower layer never imports a higher one.
// util <- protocol <- storage <- metadata <- coordinator, replication <- broker <- http, cli
const layers = ['util', 'protocol', 'storage', 'metadata', 'coordinator|replication', 'broker', 'http|cli'];

const forbidden = [];
layers.forEach((layer, index) => {
  const higher = layers.slice(index + 1);
  if (higher.length === 0) return;
  forbidden.push({
    name: `no-upward-from-${layer.replace('|', '-')}`,
    comment: `${layer} may not import from ${higher.join(', ')}`,
    severity: 'error',
    from: { path: `^src/(${layer})/` },
    to: { path: `^src/(${higher.join('|')})/` },
  });
});

forbidden.push(
  {
    name: 'protocol-is-sans-io',
    comment: 'the protocol layer works on Buffers only: no sockets, no files',
    severity: 'error',
    from: { path: '^src/protocol/' },
    to: {
      dependencyTypes: ['core'],
      path: '^(node:)?(net|fs|fs/promises|dgram|http|https|tls|child_process)$',
    },
  },
  {
    name: 'cli-and-http-talk-over-the-wire',
    comment: 'the CLI and HTTP layer reach brokers over the wire, never by importing broker internals',
    severity: 'error',
    from: { path: '^src/(cli|http)/', pathNot: '^src/cli/commands/start\\.ts$' },
    to: { path: '^src/(broker|coordinator|replication|storage)/' },
  },
  {
    name: 'coordinator-and-replication-are-siblings',
    severity: 'error',
    from: { path: '^src/coordinator/' },
    to: { path: '^src/replication/' },
  },
  {
    name: 'no-circular',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
