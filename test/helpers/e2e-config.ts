/** A config used by the end-to-end tests: jobs that leave evidence in ledger files. */
export const E2E_CONFIG = `
import { appendFileSync } from 'node:fs';
const ledger = (file, line) => appendFileSync(file, line + '\\n');
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); });
});
export default {
  limiters: { twoPerWindow: { max: 2, per: '2s' } },
  jobs: {
    Record: {
      async handle(data, ctx) {
        if (data?.ms) await sleep(data.ms);
        ledger('ledger.txt', ctx.id + ' ' + (data?.tag ?? '') + ' ' + ctx.attempt);
      },
    },
    Slow: {
      async handle(data, ctx) {
        ledger('started.txt', ctx.id);
        await sleep(data.ms, ctx.signal);
        ledger('ledger.txt', ctx.id + ' slow ' + ctx.attempt);
      },
    },
    Fail: { tries: 2, handle(data) { throw new Error('boom: ' + (data?.why ?? 'no reason')); } },
    FailUntilOk: {
      handle(data) {
        if (!data?.ok) throw new Error('not ok yet');
        ledger('ledger.txt', 'ok');
      },
    },
    Hang: { timeout: 1, async handle(data, ctx) { await sleep(60000, ctx.signal); } },
    Echo: { command: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1))); process.exit(Number(process.argv[2]))', '{text}', '{code}'] },
    Hook: { http: { url: 'http://127.0.0.1:{port}/hook/{user}', method: 'POST' } },
    Overlap: {
      async handle(data, ctx) {
        ledger('intervals.txt', 'start ' + Date.now() + ' ' + ctx.id);
        await sleep(data.ms ?? 50);
        ledger('intervals.txt', 'end ' + Date.now() + ' ' + ctx.id);
      },
    },
  },
};
`;
