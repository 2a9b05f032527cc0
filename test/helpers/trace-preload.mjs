// Loaded (`node --import`) into every node program the e2e helper runs. It keeps the client
// library's recent debug lines in memory and, on SIGUSR2, writes them beside a diagnostic report,
// so a rare hang says what the Redis client was doing, not only that a socket was open.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = process.env.QTOOL_TEST_TRACE_DIR;
if (directory) {
  // The CLI bundles ioredis and its `debug`, so that copy cannot be reached from here: it is
  // switched on by the environment, and its lines (one write each, "<ISO time> ioredis:…") are
  // taken off stderr before the test sees them.
  process.env.DEBUG = 'ioredis:*';
  const debugLine = /^\d{4}-\d\d-\d\dT[\d:.]+Z ioredis:/;
  const recent = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    if (typeof chunk === 'string' && debugLine.test(chunk)) {
      recent.push(chunk.trimEnd());
      if (recent.length > 600) recent.splice(0, 200);
      const callback = rest.find((arg) => typeof arg === 'function');
      if (callback) process.nextTick(callback);
      return true;
    }
    return write(chunk, ...rest);
  };
  process.on('SIGUSR2', () => {
    writeFileSync(join(directory, 'trace.txt'), recent.join('\n'));
    process.report.writeReport(join(directory, 'report.json'));
  });
}
