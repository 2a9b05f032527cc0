#!/usr/bin/env node
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Every store handle is closed by now; this only guards against a stray timer keeping us alive.
setTimeout(() => process.exit(code), 3000).unref();
