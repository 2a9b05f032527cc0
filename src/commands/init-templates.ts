/** The files `qtool init` writes. */
export const HELLO_JOB = `${JSON.stringify({ job: 'Hello', data: { name: 'world' } }, null, 2)}\n`;

const JOBS = `  jobs: {
    // A code job. Laravel's options by name: tries, backoff (seconds, or a list whose last
    // value repeats), timeout (ctx.signal aborts), retryUntil, maxExceptions.
    Hello: {
      tries: 3,
      backoff: [10, 60],
      timeout: '30s',
      async handle(data, ctx) {
        ctx.log(\`hello, \${data.name} (attempt \${ctx.attempt})\`);
      },
    },
    // A command job: argv slots are filled from data ({input}, {a.b}); never run through a shell.
    // stdout and stderr are kept with the attempt; a non-zero exit fails it.
    Transcode: {
      command: ['ffmpeg', '-i', '{input}', '{output}'],
      timeout: '10m',
    },
  },`;

const CONNECTIONS = `  // Stores: the embedded SQLite file (the default; several processes share it safely) and Redis.
  // Choose with --connection NAME, QTOOL_CONNECTION, or by naming one \`default\`.
  connections: {
    default: 'sqlite:.qtool/qtool.db',
    redis: 'redis://127.0.0.1:6379/0',
  },`;

export function configTemplate(js: boolean): string {
  if (js) {
    return `// qtool configuration: jobs that workers can run, and where jobs are stored.
// Plain JavaScript: no import needed. Docs: node_modules/qtool/docs/.
export default {
${CONNECTIONS}
${JOBS}
};
`;
  }
  return `// qtool configuration: jobs that workers can run, and where jobs are stored.
// Loaded without a build step. defineConfig / defineJob only add types. Docs: node_modules/qtool/docs/.
import { defineConfig, defineJob } from 'qtool';

export default defineConfig({
${CONNECTIONS}
${JOBS.replace(
  `    Hello: {
      tries: 3,`,
  `    Hello: defineJob<{ name: string }>({
      tries: 3,`,
).replace(
  `        ctx.log(\`hello, \${data.name} (attempt \${ctx.attempt})\`);
      },
    },`,
  `        ctx.log(\`hello, \${data.name} (attempt \${ctx.attempt})\`);
      },
    }),`,
)}
});
`;
}
