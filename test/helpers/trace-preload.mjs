// Loaded (`node --import`) into every node program the e2e helper runs. It keeps the client
// library's recent debug lines in memory and, on SIGUSR2, writes them beside a diagnostic report,
// so a rare hang says what the Redis client was doing, not only that a socket was open.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { format } from 'node:util';

const directory = process.env.QTOOL_TEST_TRACE_DIR;
if (directory) {
  const debug = createRequire(import.meta.url)('debug');
  debug.enable('ioredis:*');
  const recent = [];
  debug.log = (...args) => {
    recent.push(format(...args));
    if (recent.length > 600) recent.splice(0, 200);
  };
  process.on('SIGUSR2', () => {
    writeFileSync(join(directory, 'trace.txt'), recent.join('\n'));
    process.report.writeReport(join(directory, 'report.json'));
  });
}
