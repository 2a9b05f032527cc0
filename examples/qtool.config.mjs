// The example config: one code job, one command job, one http job, and both connections.
// A plain object works; `defineConfig`/`defineJob` from 'qtool' only add types.
import { appendFileSync, mkdirSync } from 'node:fs';

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
        ctx.log(`processed podcast ${data.podcastId}`);
      },
    },
    // Fails on purpose until data.ok is true: try `qtool failed` and `qtool retry`.
    Flaky: {
      tries: 2,
      handle(data) {
        if (!data?.ok) throw new Error('Flaky failed on purpose (dispatch with {"ok": true} to pass)');
      },
    },
    // A command job: argv slots are filled from data, never through a shell.
    Transcode: {
      command: [
        'node',
        '-e',
        'console.log("transcoding", process.argv[1], "->", process.argv[2])',
        '{input}',
        '{output}',
      ],
      timeout: '10m',
    },
    // An http job: a non-2xx answer fails the attempt.
    Notify: {
      http: { url: 'http://127.0.0.1:9/notify/{user}', method: 'POST' },
      tries: 3,
      backoff: '30s',
    },
  },
};
