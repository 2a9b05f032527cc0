import { describe, expect, it } from 'vitest';
import { dispatchedEvent, dispatchedEventHeadJson } from '../../src/drivers/dispatched-event.js';
import { makeEnvelope } from './conformance/envelopes.js';

describe('dispatchedEventHeadJson', () => {
  it('is the event as JSON once its availableAt value and closing braces are appended', () => {
    const envelope = makeEnvelope({ queue: 'q "quoted" \\ ✉', name: 'Send "weekly" \\ digest ✉' });
    const json = `${dispatchedEventHeadJson(envelope)}${envelope.availableAt}}}`;
    expect(JSON.parse(json)).toEqual(dispatchedEvent(envelope));
  });
});
