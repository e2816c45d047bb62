import { Command } from 'commander';
import { registerStartCommand } from './commands/start.js';

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command();
  program.name('samsa').description('Samsa: an event streaming platform that speaks the Kafka protocol');
  registerStartCommand(program);
  await program.parseAsync([...argv]);
}

// Run when executed directly (node src/cli/main.ts / dist/cli/main.js), not when imported.
const invokedPath = process.argv[1] ?? '';
if (/[\\/]cli[\\/]main\.(ts|js)$/.test(invokedPath)) {
  main(process.argv).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
