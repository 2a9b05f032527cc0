#!/usr/bin/env node
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Every store handle is closed by now; exit once output is flushed rather than wait for a
// library's stray timer (ioredis keeps its connect timer after a refused connection).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
