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
