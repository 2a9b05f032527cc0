import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchJobs } from '../../src/core/dispatch.js';
import type { Driver } from '../../src/drivers/types.js';
import { App } from '../../src/tui/app.js';
import { CONNECTION, plain, scene, until } from './fixture.js';

afterEach(cleanup);

const KEYS = { enter: '\r', esc: '\x1b', down: '\x1b[B', tab: '\t' };

async function start(driver: Driver) {
  const app = render(<App driver={driver} connection={CONNECTION} intervalMs={50} size={{ columns: 100, rows: 30 }} />);
  const screen = () => plain(app.lastFrame());
  const see = (text: string | RegExp) =>
    until(
      () => (typeof text === 'string' ? screen().includes(text) : text.test(screen())),
      `screen showing ${text}\n${screen()}`,
    );
  await see('podcasts');
  const press = async (...keys: string[]) => {
    for (const k of keys) app.stdin.write(k);
  };
  return { app, screen, see, press };
}

describe('qtool top, driven by keys against the memory store', () => {
  it('shows queue counts change as the store changes', async () => {
    const { driver } = await scene();
    const { see } = await start(driver);
    await see(/podcasts\s+10\s/);
    await dispatchJobs(
      driver,
      Array.from({ length: 5 }, () => ({ name: 'ProcessPodcast', queue: 'podcasts' })),
    );
    await see(/podcasts\s+15\s/);
  });

  it('r on a failed job retries it', async () => {
    const { driver, failedId } = await scene();
    const { see, press } = await start(driver);
    await press('2');
    await see(failedId);
    await press('r');
    await see(`retried job ${failedId}`);
    expect((await driver.jobGet(failedId))?.state).toBe('pending');
    await see('no failed jobs');
  });

  it('R then y retries every failed job of the queue', async () => {
    const { driver, failedId } = await scene();
    const { see, press } = await start(driver);
    await press(KEYS.down, 'R');
    await see('retry every failed job of podcasts? (y/n)');
    await press('y');
    await see('retried 1 failed job of podcasts');
    expect((await driver.jobGet(failedId))?.state).toBe('pending');
  });

  it('p resumes a paused queue and pauses it again', async () => {
    const { driver } = await scene();
    const { see, press } = await start(driver);
    await press('p');
    await see('resumed emails');
    expect((await driver.queueStats()).find((q) => q.queue === 'emails')?.paused).toBe(false);
    await see(/emails.*active/);
    await press('p');
    await see('paused emails');
    expect((await driver.queueStats()).find((q) => q.queue === 'emails')?.paused).toBe(true);
  });

  it('D on a job asks, and y deletes it and goes back; d alone never deletes', async () => {
    const { driver } = await scene();
    const { see, press, screen } = await start(driver);
    await press(KEYS.down, KEYS.enter);
    await see(/›\s\w{26} ProcessPodcast/);
    await press(KEYS.enter);
    await see('"podcastId": 3');
    await see(/why\s+pending: pending on queue podcasts/);
    const id = /Job (\w{26})/.exec(screen())![1]!;
    await press('d');
    await see('D deletes');
    expect(await driver.jobGet(id)).not.toBeNull();
    await press('D');
    await see(`delete job ${id}? (y/n)`);
    await press('y');
    await see(`deleted job ${id}`);
    await see('[pending 9]');
    expect(await driver.jobGet(id)).toBeNull();
  });

  it('x selects two jobs, D asks for both, n keeps them, y deletes exactly those', async () => {
    const { driver } = await scene();
    const { see, press, screen } = await start(driver);
    await press(KEYS.down, KEYS.enter);
    await see(/›\s\w{26} ProcessPodcast/);
    const ids = [...screen().matchAll(/^.[ *](\w{26}) ProcessPodcast/gm)].map((m) => m[1]!);
    await press('x', 'j', 'x');
    await see('2 selected');
    expect(screen()).toMatch(new RegExp(`^ \\*${ids[0]}`, 'm'));
    await press('D');
    await see('delete 2 jobs? (y/n)');
    await press('n');
    await see('cancelled');
    expect(await driver.jobGet(ids[0]!)).not.toBeNull();
    await press('D');
    await see('delete 2 jobs? (y/n)');
    await press('y');
    await see('deleted 2 jobs');
    await see('[pending 8]');
    expect(await driver.jobGet(ids[0]!)).toBeNull();
    expect(await driver.jobGet(ids[1]!)).not.toBeNull();
    expect(await driver.jobGet(ids[2]!)).toBeNull();
    expect(screen()).not.toContain('selected ·');
  });

  it('A then R in the failed pane retries the selected failed jobs', async () => {
    const { driver, failedId } = await scene();
    const { see, press } = await start(driver);
    await press('2');
    await see(failedId);
    await press('A');
    await see('1 selected');
    await press('R');
    await see('retry failed job');
    await press('y');
    await see(`retried job ${failedId}`);
    expect((await driver.jobGet(failedId))?.state).toBe('pending');
  });

  it('C on a queue asks; y deletes its pending and delayed jobs, running ones stay', async () => {
    const { driver, runningId } = await scene();
    const { see, press } = await start(driver);
    await press(KEYS.down, 'C');
    await see('delete every pending and delayed job of podcasts? (y/n)');
    await press('y');
    await see('cleared 10 jobs of podcasts');
    const podcasts = (await driver.queueStats()).find((q) => q.queue === 'podcasts');
    expect(podcasts).toMatchObject({ pending: 0, reserved: 1 });
    expect((await driver.jobGet(runningId))?.state).toBe('reserved');
  });

  it('X then y releases a lock; n would have kept it', async () => {
    const { driver } = await scene();
    const { see, press } = await start(driver);
    await press('4');
    await see('overlap:ProcessPodcast:1');
    await press('X', 'n');
    await see('cancelled');
    expect(await driver.lockList()).toHaveLength(1);
    await press('X', 'y');
    await see('released lock overlap:ProcessPodcast:1');
    expect(await driver.lockList()).toHaveLength(0);
  });

  it('C then y clears a throttle; c alone does not', async () => {
    const { driver } = await scene();
    const { see, press } = await start(driver);
    await press('5');
    await see('rate:mailgun');
    await press('c');
    await see('C clears');
    expect(await driver.counterGet('rate:mailgun')).not.toBeNull();
    await press('C');
    await see('clear throttle rate:mailgun? (y/n)');
    await press('y');
    await see('cleared rate:mailgun');
    expect(await driver.counterGet('rate:mailgun')).toBeNull();
  });

  it('the events pane follows new events live', async () => {
    const { driver } = await scene();
    const { see, press } = await start(driver);
    await press('6');
    await see('job.dispatched');
    await dispatchJobs(driver, [{ name: 'LateArrival', queue: 'late' }]);
    await see('LateArrival');
  });

  it('a store that stops answering: the error shows, the data stays, and it recovers', async () => {
    const { driver } = await scene();
    let down = false;
    const flaky = new Proxy(driver, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'queueStats')
          return () => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : value.call(target));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { see, screen } = await start(flaky);
    down = true;
    await see('store unreachable: connect ECONNREFUSED (retrying; showing data from');
    expect(screen()).toMatch(/podcasts\s+10\s/);
    expect(screen()).toContain('STALE');
    down = false;
    await see('store reachable again');
  });

  it('q quits: the app unmounts and stops its subscription', async () => {
    const { driver } = await scene();
    const signals: AbortSignal[] = [];
    const watched = new Proxy(driver, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'eventsRead') {
          return (options: { signal?: AbortSignal }) => {
            if (options.signal) signals.push(options.signal);
            return value.call(target, options);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { press } = await start(watched);
    await until(() => signals.length > 0, 'the events subscription');
    await press('q');
    await until(() => signals.every((signal) => signal.aborted), 'the subscription to stop');
  });
});
