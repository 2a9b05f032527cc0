import type { JobEnvelope } from '../../core/envelope.js';
import { dispatchedEvent, dispatchedEventHeadJson } from '../dispatched-event.js';
import { encodeEnvelope } from '../envelope-codec.js';
import { DriverError } from '../errors.js';
import { sharedDispatchedJson } from '../shared-events.js';
import type { EventInput, PushOptions, PushResult } from '../types.js';
import { RedisQueries } from './queries.js';

const DAY_MS = 86_400_000;

/**
 * The Redis store's pushes: push.lua for a push of any size and kind (one per queue on a
 * Cluster), push-one.lua for one plain job on a single server.
 */
export abstract class RedisPushes extends RedisQueries {
  async jobPush(envelopes: JobEnvelope[], options: PushOptions = {}): Promise<PushResult[]> {
    if (envelopes.length === 0) return [];
    const only = envelopes.length === 1 ? envelopes[0]! : undefined;
    if (only && !this.cluster && options.fence === undefined && !options.events?.length && this.plainJob(only)) {
      return [await this.pushOne(only, options)];
    }
    const ids = new Set<string>();
    for (const e of envelopes) {
      if (ids.has(e.id)) throw new DriverError('INVALID', `job id ${e.id} already exists`);
      ids.add(e.id);
    }
    const events = new Map<string, EventInput[]>();
    // The job.dispatched events of a Cluster push are appended by the driver after the step (see
    // pushGroup); on a single server the script writes them.
    const given =
      this.cluster && options.dispatchedEvents
        ? [...(options.events ?? []), ...envelopes.map(dispatchedEvent)]
        : (options.events ?? []);
    for (const event of given) {
      const id = event.jobId ?? '';
      const list = events.get(id);
      if (list) list.push(event);
      else events.set(id, [event]);
    }
    // A single server takes the whole push in one script (all or none across queues); on a
    // Cluster each queue is its own slot, so each queue's share is one script (all or none per queue).
    if (!this.cluster) return this.pushGroup(envelopes, events, options);
    const groups = new Map<string, JobEnvelope[]>();
    for (const e of envelopes) {
      const list = groups.get(e.queue);
      if (list) list.push(e);
      else groups.set(e.queue, [e]);
    }
    const results = new Map<string, PushResult>();
    for (const list of groups.values()) {
      for (const result of await this.pushGroup(list, events, options)) results.set(result.id, result);
    }
    await this.afterStep(events.get('')); // the events of no job, as the single server's script writes them
    return envelopes.map((e) => results.get(e.id)!);
  }

  private async pushGroup(
    list: JobEnvelope[],
    events: Map<string, EventInput[]>,
    options: PushOptions,
  ): Promise<PushResult[]> {
    const queues: string[] = [];
    const index = new Map<string, number>();
    for (const e of list)
      if (!index.has(e.queue)) {
        queues.push(e.queue);
        index.set(e.queue, queues.length);
      }
    const first = this.keys.queue(queues[0]!);
    // Fences span queues, so only a single server takes them (capabilities.pipelinedPush).
    const fenced = options.fence !== undefined && !this.cluster;
    const keys = [this.eventsKey(first), this.queuesKey(first), fenced ? this.keys.fence(options.fence!) : first.stats];
    const args: (string | number)[] = [
      options.idempotencyTtlMs ?? DAY_MS,
      this.scriptMaxLen,
      this.cluster ? 0 : 1,
      queues.length,
      fenced ? 1 : 0,
      options.dispatchedEvents && !this.cluster ? 1 : 0, // the client's event text instead, below
      this.cluster ? 0 : (events.get('')?.length ?? 0),
    ];
    for (const queue of queues) {
      const k = this.keys.queue(queue);
      keys.push(k.ready, k.payload, k.state, k.unique, k.idempotency, k.notify, k.failedJobs, k.idempotencyExpiry);
      args.push(queue);
    }
    for (const queue of queues) args.push(this.wakeChannel(this.keys.queue(queue)));
    let allPlain = true;
    for (const e of list) {
      const mine = this.cluster ? undefined : events.get(e.id);
      const due = dueArgument(e);
      // A plain job sends its first four fields only, its queue index negated (see push.lua).
      if (!mine && this.plainJob(e)) {
        args.push(-index.get(e.queue)!, e.id, due, encodeEnvelope(e));
        continue;
      }
      allPlain = false;
      args.push(
        index.get(e.queue)!,
        e.id,
        due,
        encodeEnvelope(e),
        e.unique?.key ?? '',
        e.unique ? (e.unique.ttl === null ? -1 : Math.round(e.unique.ttl * 1000)) : -1,
        e.idempotencyKey ?? '',
        mine?.length ?? 0,
      );
      if (mine) for (const event of mine) args.push(JSON.stringify(event));
    }
    if (!this.cluster) for (const event of events.get('') ?? []) args.push(JSON.stringify(event));
    if (args[DISPATCHED_ARGUMENT] === 1 && allPlain && list.length > 1)
      args[DISPATCHED_ARGUMENT] = dispatchedText(list);
    const refused = (await this.call('push', keys, args)) as (string | number)[];
    const results = list.map((e): PushResult => ({ id: e.id, status: 'queued' }));
    for (let r = 0; r < refused.length; r += 4) {
      const at = (refused[r] as number) - 1;
      const id = list[at]!.id;
      const key = refused[r + 2] as string;
      const other = refused[r + 3] as string;
      results[at] =
        refused[r + 1] === 'duplicate'
          ? { id, status: 'duplicate', uniqueKey: key, heldBy: other }
          : { id, status: 'existing', idempotencyKey: key, existingId: other };
    }
    if (this.cluster) {
      const queued = results.filter((r) => r.status === 'queued');
      if (queued.length > 0) {
        await this.register(queues);
        await this.afterStep(queued.flatMap((r) => events.get(r.id) ?? []));
      }
    }
    return results;
  }

  /**
   * A job with no unique or idempotency key: push-one.lua takes it alone, and push.lua in four
   * fields, when no events come with it.
   */
  private plainJob(e: JobEnvelope): boolean {
    return !e.unique && !e.idempotencyKey;
  }

  /** One plain job on a single server (the common dispatch from application code). */
  private async pushOne(e: JobEnvelope, options: PushOptions): Promise<PushResult> {
    const k = this.keys.queue(e.queue);
    const keys = [this.eventsKey(k), this.queuesKey(k), k.ready, k.payload, k.state, k.notify, k.failedJobs];
    const due = dueArgument(e);
    // The script's clock fills a due job's availableAt in.
    const event = options.dispatchedEvents ? dispatchedEventHeadJson(e) : '';
    const args = [this.scriptMaxLen, e.queue, event, e.id, due, encodeEnvelope(e)];
    await this.call('pushOne', keys, args);
    return { id: e.id, status: 'queued' };
  }
}

/** Where push.lua's job.dispatched argument sits among its arguments (ARGV[6]). */
const DISPATCHED_ARGUMENT = 5;

/**
 * push.lua's job.dispatched argument for a push of several plain jobs with no events of their own
 * (all of them are stored or none): the shared event's text, a NUL where the script's clock fills a
 * due job's time in. Otherwise the script puts the events together itself.
 */
function dispatchedText(list: JobEnvelope[]): string {
  const text = sharedDispatchedJson(list, (e) => (dueArgument(e) === 0 ? '\0' : e.availableAt));
  return `{"name":"job.dispatched",${text.slice(1)}`;
}

/**
 * A job's due time as the push scripts take it: 0 for a job due at once, which the script puts at
 * the server's now. The client's estimate of that clock may run ahead (it was measured over a
 * round trip), which would hold the job back.
 */
function dueArgument(e: JobEnvelope): number {
  return e.availableAt <= e.dispatchedAt ? 0 : e.availableAt;
}
