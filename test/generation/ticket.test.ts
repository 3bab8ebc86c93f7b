/** The form's fields of a SubmissionTicket: optional, checked when present, decided before sending, matched on resume. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { formOfTicket } from '../../src/generation/modal-flow.js';
import { assertTicket, resumedMatchPrompt, ticketProblems } from '../../src/generation/ticket.js';
import type { SubmissionTicket } from '../../src/generation/types.js';

const BASE: SubmissionTicket = {
  kind: 'variation',
  prompt: 'a harbour under snow',
  channelId: '1100000000000000200',
  nonce: '1300000000000000001',
  afterMessageId: '1300000000000000000',
  submittedAt: 1_750_000_000_000,
  sourceMessageId: '1300000000000000000',
  customId: 'MJ::JOB::variation::2::a00087fb-f747-4cb8-adfe-747d23673f27',
};

describe('ticketProblems', () => {
  it('accepts a ticket written before forms were resumable, and one naming its form', () => {
    expect(ticketProblems(BASE)).toEqual([]);
    const withForm: SubmissionTicket = {
      ...BASE,
      formNonce: '1300000000000000002',
      formPrompt: 'a harbour under snow',
      sourcePrompt: 'a harbour at dawn',
    };
    expect(ticketProblems(withForm)).toEqual([]);
    // JSON (a journal line, a job store) round-trips them.
    expect(JSON.parse(JSON.stringify(withForm))).toEqual(withForm);
  });

  it('lists every malformed form field, naming it', () => {
    const bad = {
      ...BASE,
      formNonce: 'not-a-snowflake',
      formPrompt: '  ',
      sourcePrompt: 42,
    } as unknown as SubmissionTicket;
    expect(ticketProblems(bad)).toEqual([
      'formNonce: expected a snowflake',
      'formPrompt: expected a non-empty string',
      'sourcePrompt: expected a non-empty string',
    ]);
    expect(() => assertTicket(bad)).toThrow(ValidationError);
    expect(ticketProblems({ ...BASE, formNonce: BASE.nonce })).toEqual([
      'formNonce: expected a nonce other than nonce',
    ]);
  });
});

describe('resumedMatchPrompt', () => {
  it("is the source's echo for a button that may open a form, the editor's prompt for Vary (Region), else the prompt", () => {
    expect(resumedMatchPrompt(BASE)).toBe('a harbour under snow');
    expect(
      resumedMatchPrompt({
        ...BASE,
        formNonce: '1300000000000000002',
        formPrompt: 'a harbour under snow',
        sourcePrompt: 'a harbour at dawn',
      }),
    ).toBe('a harbour at dawn');
    expect(
      resumedMatchPrompt({ ...BASE, prompt: 'x', formPrompt: 'a red door', sourcePrompt: 'a harbour' }),
    ).toBe('a red door');
  });
});

describe('formOfTicket', () => {
  const remix = 'MJ::JOB::variation::2::a00087fb-f747-4cb8-adfe-747d23673f27';

  it("names a fresh submit nonce, the prompt input's value from fields over prompt, and the source's echo", () => {
    const fields = formOfTicket(remix, 'a harbour at dawn', {
      prompt: 'ignored',
      fields: { 'MJ::RemixModal::new_prompt': 'a harbour under snow' },
    });
    expect(fields).toMatchObject({ formPrompt: 'a harbour under snow', sourcePrompt: 'a harbour at dawn' });
    expect(fields.formNonce).toMatch(/^\d{17,20}$/);
    expect(formOfTicket(remix, 'a harbour at dawn', {}).formNonce).not.toBe(fields.formNonce);
    expect(formOfTicket(remix, 'a harbour at dawn', {})).not.toHaveProperty('formPrompt');
  });

  it("gives Vary (Region)'s editor no nonce of its own (it keeps the button's)", () => {
    const fields = formOfTicket('MJ::Inpaint::1::a00087fb-f747-4cb8-adfe-747d23673f27::SOLO', 'a harbour', {
      prompt: 'a red door',
    });
    expect(fields).toEqual({ formPrompt: 'a red door', sourcePrompt: 'a harbour' });
  });
});
