// The example config: code jobs, a command job, an http job, a rate limiter and both connections.
// A plain object works; `defineConfig`/`defineJob` from 'qtool' only add types.
// The job files beside it use these jobs; `qtool dispatch examples/<file> && qtool work` runs one
// (see examples/README.md). Every job appends a line to .qtool/examples.log, so you can see it ran.
import { appendFileSync, mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function record(line) {
  mkdirSync('.qtool', { recursive: true });
  appendFileSync('.qtool/examples.log', `${line}\n`);
}

export default {
  connections: {
    default: 'sqlite:.qtool/qtool.db',
    redis: 'redis://127.0.0.1:6379/0',
  },
  limiters: {
    api: { max: 10, per: '1m' },
  },
  jobs: {
    // A code job: tries, backoff and timeout as in Laravel.
    ProcessPodcast: {
      tries: 3,
      backoff: [10, 60],
      timeout: '2m',
      async handle(data, ctx) {
        mkdirSync('.qtool', { recursive: true });
        appendFileSync(
          '.qtool/podcasts.log',
          `${new Date().toISOString()} processed podcast ${data.podcastId} (attempt ${ctx.attempt})\n`,
        );
        record(`ProcessPodcast ${data.podcastId}`);
        ctx.log(`processed podcast ${data.podcastId}`);
      },
    },
    // Fails on purpose until data.ok is true: try `qtool failed` and `qtool retry`.
    Flaky: {
      tries: 2,
      handle(data) {
        if (!data?.ok) throw new Error('Flaky failed on purpose (dispatch with {"ok": true} to pass)');
        record('Flaky passed');
      },
    },
    // Takes data.seconds: long enough to see its overlap lock in `qtool locks` and `qtool why`.
    Render: {
      timeout: '1m',
      async handle(data, ctx) {
        await sleep((data?.seconds ?? 1) * 1000, undefined, { signal: ctx.signal });
        record(`Render ${data?.scene ?? ''}`);
      },
    },
    // Calls a flaky upstream API: fails while data.fail is true (see examples/throttle.json).
    ChargeCard: {
      tries: 3,
      handle(data) {
        if (data?.fail) throw new Error(`payment API unavailable for order ${data.order}`);
        record(`ChargeCard ${data?.order}`);
      },
    },
    // One step of a chain or batch: writes its name; fails when data.fail is true.
    Step: {
      handle(data) {
        if (data?.fail) throw new Error(`step ${data.name} failed`);
        record(
          `Step ${data?.name}${data?.batch ? ` (batch ${data.batch.total - data.batch.pending}/${data.batch.total})` : ''}${data?.failed ? ` after ${data.failed.job} failed` : ''}`,
        );
      },
    },
    // A command job: argv slots are filled from data, never through a shell.
    Transcode: {
      command: [
        'node',
        '-e',
        'const fs = require("node:fs"); fs.mkdirSync(".qtool", { recursive: true }); fs.appendFileSync(".qtool/examples.log", "Transcode " + process.argv[1] + " -> " + process.argv[2] + "\\n"); console.log("transcoding", process.argv[1], "->", process.argv[2])',
        '{input}',
        '{output}',
      ],
      timeout: '10m',
    },
    // An http job: a non-2xx answer fails the attempt. NOTIFY_URL points it at a real endpoint;
    // without one it fails (nothing listens on port 9), which shows tries and backoff.
    Notify: {
      http: { url: `${process.env.NOTIFY_URL ?? 'http://127.0.0.1:9'}/notify/{user}`, method: 'POST' },
      tries: 3,
      backoff: '30s',
    },
  },
};
