import type { JobEnvelope } from '../core/envelope.js';
import type { EventInput, PushOptions } from './types.js';

/** The `job.dispatched` event a push with `dispatchedEvents` records for a stored job. */
export function dispatchedEvent(envelope: JobEnvelope): EventInput {
  return {
    name: 'job.dispatched',
    queue: envelope.queue,
    jobId: envelope.id,
    jobName: envelope.name,
    details: { availableAt: envelope.availableAt },
  };
}

/**
 * `dispatchedEvent(envelope)` as JSON up to its `availableAt` value, for a store script that
 * appends the value it decides (the server's clock for a job due at once) and the closing `}}`.
 */
export function dispatchedEventHeadJson(envelope: JobEnvelope): string {
  return `{"name":"job.dispatched","queue":${JSON.stringify(envelope.queue)},"jobId":${JSON.stringify(envelope.id)},"jobName":${JSON.stringify(envelope.name)},"details":{"availableAt":`;
}

/** `dispatchedEvent(envelope).details` as JSON, for a store that writes event rows directly. */
export function dispatchedDetailsJson(envelope: JobEnvelope): string {
  return `{"availableAt":${envelope.availableAt}}`;
}

/** The events given with a push that it writes: those of the jobs it stored, and those of no job. */
export function givenEvents(stored: Set<string>, options: PushOptions): EventInput[] {
  return options.events?.filter((event) => !event.jobId || stored.has(event.jobId)) ?? [];
}

/** The events a push records for the jobs it stored: those given, then the dispatched ones. */
export function pushEvents(envelopes: JobEnvelope[], stored: Set<string>, options: PushOptions): EventInput[] {
  const events = givenEvents(stored, options);
  if (options.dispatchedEvents) {
    for (const envelope of envelopes) if (stored.has(envelope.id)) events.push(dispatchedEvent(envelope));
  }
  return events;
}
