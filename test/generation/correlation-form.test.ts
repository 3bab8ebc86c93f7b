/**
 * Correlation of a resumed button job that may have answered a form (its ticket's `formNonce`):
 * its messages carry the form submit's nonce and prompt when the form was submitted, the
 * button's nonce and the source prompt when no form opened (Remix off). Which prompt a reply may
 * echo follows the interaction it answers: a modal submit (type 5) or the button (type 3).
 */
import { describe, expect, it } from 'vitest';
import type { APIMessage } from '../../src/discord/types.js';
import { type CorrelationJob, correlate } from '../../src/generation/correlation.js';
import { job, parsed, sf, USER_ID, uuid, variations, waiting } from './fixtures.js';

const SOURCE = sf(5);
const BUTTON_NONCE = sf(600);
const FORM_NONCE = sf(601);

function decide(m: APIMessage, jobs: CorrelationJob[]) {
  return correlate({ message: m, parsed: parsed(m) }, jobs, {
    userId: USER_ID,
    boundTo: () => undefined,
    final: false,
  });
}

function resumedRemix(): CorrelationJob {
  return job({
    id: 'remix',
    kind: 'variation',
    prompt: 'a harbour at dawn',
    nonce: BUTTON_NONCE,
    sourceMessageId: SOURCE,
    resumed: true,
    form: { nonce: FORM_NONCE, prompt: 'a harbour under snow' },
  });
}

/** A reply answering interaction `type` (3 the button, 5 the modal submit). */
function answering(m: APIMessage, type: 3 | 5): APIMessage {
  return {
    ...m,
    interaction_metadata: {
      id: sf(700),
      type,
      user: { id: USER_ID, username: 'u', global_name: null, discriminator: '0', avatar: null },
      ...(type === 3 ? { interacted_message_id: SOURCE } : {}),
    },
  };
}

describe('correlate: a resumed job that may have answered a form', () => {
  it("matches the form submit's nonce and the button's", () => {
    const jobs = [resumedRemix()];
    expect(decide({ ...waiting(sf(10), 'a harbour under snow'), nonce: FORM_NONCE }, jobs)).toEqual({
      type: 'match',
      jobId: 'remix',
      reason: 'nonce',
    });
    expect(decide({ ...waiting(sf(11), 'a harbour at dawn'), nonce: BUTTON_NONCE }, jobs)).toEqual({
      type: 'match',
      jobId: 'remix',
      reason: 'nonce',
    });
  });

  it("takes a reply to a modal submit on the form's prompt only, a reply to the button on the source's only", () => {
    const jobs = [resumedRemix()];
    const match = { type: 'match', jobId: 'remix', reason: 'text' };
    expect(decide(answering(waiting(sf(10), 'a harbour under snow'), 5), jobs)).toEqual(match);
    expect(decide(answering(waiting(sf(11), 'a harbour at dawn'), 3), jobs)).toEqual(match);
    // Another form job of the same source left as prefilled (the source prompt): not this one.
    expect(decide(answering(waiting(sf(12), 'a harbour at dawn'), 5), jobs)).toEqual({ type: 'none' });
    expect(decide(answering(waiting(sf(13), 'a harbour under snow'), 3), jobs)).toEqual({ type: 'none' });
  });

  it('takes a result that names no interaction on either prompt', () => {
    const match = { type: 'match', jobId: 'remix', reason: 'text' };
    expect(decide(variations(sf(20), 'a harbour under snow', uuid(1)), [resumedRemix()])).toEqual(match);
    expect(decide(variations(sf(21), 'a harbour at dawn', uuid(2)), [resumedRemix()])).toEqual(match);
    expect(decide(variations(sf(22), 'a lighthouse', uuid(3)), [resumedRemix()])).toEqual({ type: 'none' });
  });

  it('a job without a form keeps one nonce and one prompt', () => {
    const plain = [{ ...resumedRemix(), form: undefined }];
    expect(decide({ ...waiting(sf(10), 'a harbour under snow'), nonce: FORM_NONCE }, plain)).toEqual({
      type: 'none',
    });
    expect(decide(variations(sf(20), 'a harbour under snow', uuid(1)), plain)).toEqual({ type: 'none' });
  });
});
