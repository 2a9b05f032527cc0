#!/usr/bin/env node
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Answered without loading the CLI: scripts call this often, and it should be instant.
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  // A reader that goes away (`qtool tail | head -1`) ends the command quietly, not with a stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  // Before the CLI loads: loading it already grows V8's young generation (see young-generation.ts).
  const { commandOf, keepYoungGenerationSmall } = await import('../dist/core/young-generation.js');
  if (commandOf(args) === 'work') keepYoungGenerationSmall();
  const { main } = await import('../dist/cli.js');
  const code = await main(args);
  process.exitCode = code;
  // Every store handle is closed by now; exit once output is flushed rather than wait for a
  // library's stray timer (ioredis keeps its connect timer after a refused connection).
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
