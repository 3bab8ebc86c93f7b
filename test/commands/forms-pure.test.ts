/** The pure parts of forms and settings: which buttons open a form, filling one, the modal submit, the settings panel. */
import { describe, expect, it } from 'vitest';
import type { ModalCreateData } from '../../src/discord/gateway/protocol.js';
import { ModalRequiredError } from '../../src/midjourney/modal-errors.js';
import {
  buildModalSubmit,
  fillModal,
  iframeToken,
  inpaintBody,
  needsMask,
  opensModal,
} from '../../src/midjourney/modals.js';
import { parseSettingsPanel } from '../../src/midjourney/settings-answer.js';

const UUID = '0f1e2d3c-4b5a-4968-8776-655443322110';

const zoomModal: ModalCreateData = {
  id: '1300000000000000001',
  nonce: '1300000000000000000',
  custom_id: `MJ::OutpaintCustomZoomModal::${UUID}`,
  title: 'Zoom Out',
  components: [
    {
      type: 1,
      components: [
        {
          type: 4,
          custom_id: 'MJ::OutpaintCustomZoomModal::prompt',
          value: 'a cat --zoom 2',
          required: true,
        },
      ],
    },
  ],
};

describe('opensModal / needsMask', () => {
  it.each([
    [`MJ::CustomZoom::${UUID}`, true, false],
    [`MJ::Inpaint::1::${UUID}::SOLO`, true, true],
    ['MJ::Job::PicReader::3', true, false],
    ['MJ::Job::PromptAnalyzer::5', true, false],
    ['MJ::Job::PicReader::all', false, false],
    [`MJ::JOB::variation::1::${UUID}`, false, false],
    [`MJ::Outpaint::50::1::${UUID}::SOLO`, false, false],
  ])('%s -> opens %s, mask %s', (customId, opens, mask) => {
    expect(opensModal(customId)).toBe(opens);
    expect(needsMask(customId)).toBe(mask);
  });
});

describe('fillModal', () => {
  it('takes fields first, then the prompt for the prompt input, then the prefilled value', () => {
    expect(fillModal(zoomModal, {}).prompt).toBe('a cat --zoom 2');
    expect(fillModal(zoomModal, { prompt: 'a cat --zoom 1.5' }).components[0]?.components[0]?.value).toBe(
      'a cat --zoom 1.5',
    );
    const byField = fillModal(zoomModal, {
      prompt: 'ignored',
      fields: { 'MJ::OutpaintCustomZoomModal::prompt': 'a dog --zoom 1.2' },
    });
    expect(byField.prompt).toBe('a dog --zoom 1.2');
  });

  it('refuses a required input left empty, naming it', () => {
    const empty: ModalCreateData = {
      ...zoomModal,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'MJ::RemixModal::new_prompt' }] }],
    };
    let error: unknown;
    try {
      fillModal(empty, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModalRequiredError);
    expect((error as ModalRequiredError).fields).toEqual(['MJ::RemixModal::new_prompt']);
  });
});

describe('buildModalSubmit', () => {
  it("is type 5 with the modal's id and custom id, the inputs in rows, no message id", () => {
    const payload = buildModalSubmit({
      applicationId: '936929561302675456',
      guildId: '1100000000000000001',
      channelId: '1100000000000000002',
      sessionId: 'abc',
      modal: zoomModal,
      components: fillModal(zoomModal, {}).components,
      nonce: '1300000000000000009',
    });
    expect(payload).toEqual({
      type: 5,
      application_id: '936929561302675456',
      guild_id: '1100000000000000001',
      channel_id: '1100000000000000002',
      session_id: 'abc',
      nonce: '1300000000000000009',
      data: {
        id: zoomModal.id,
        custom_id: zoomModal.custom_id,
        components: [
          {
            type: 1,
            components: [
              { type: 4, custom_id: 'MJ::OutpaintCustomZoomModal::prompt', value: 'a cat --zoom 2' },
            ],
          },
        ],
      },
    });
    expect(() => buildModalSubmit({ ...payloadInput(), modal: { id: 'x', custom_id: '' } })).toThrow(/modal/);
  });
});

function payloadInput() {
  return {
    applicationId: '936929561302675456',
    channelId: '1100000000000000002',
    sessionId: 's',
    components: [],
  };
}

describe('Vary (Region) editor', () => {
  it('reads the iframe token and builds the editor body', () => {
    expect(iframeToken('MJ::iframe::abc123')).toBe('abc123');
    expect(iframeToken('MJ::RemixModal::x')).toBeUndefined();
    const body = JSON.parse(inpaintBody('abc123', Buffer.from([1, 2, 3]), 'a door'));
    expect(body).toEqual({
      customId: 'abc123',
      mask: 'AQID',
      prompt: 'a door',
      userId: '0',
      username: '0',
      full_prompt: null,
    });
  });
});

describe('parseSettingsPanel', () => {
  const button = (custom_id: string, on: boolean) => ({
    type: 2 as const,
    style: on ? 3 : 2,
    custom_id,
    label: '',
  });
  it('reads version, stylize, speed, remix, privacy and the suffix', () => {
    const panel = parseSettingsPanel({
      id: '1300000000000000100',
      flags: 64,
      content: 'Adjust your settings here. Current suffix: `--v 7 --s 250`',
      components: [
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: 'MJ::Settings::VersionSelector',
              options: [{ value: '6.1' }, { value: '7', default: true }],
            } as never,
          ],
        },
        {
          type: 1,
          components: [
            button('MJ::Settings::RemixMode', true),
            button('MJ::Settings::Stylization::100', false),
            button('MJ::Settings::Stylization::250', true),
          ],
        },
        {
          type: 1,
          components: [button('MJ::Settings::PublicMode', false), button('MJ::Settings::PrivateMode', true)],
        },
        {
          type: 1,
          components: [button('MJ::Settings::FastMode', false), button('MJ::Settings::RelaxMode', true)],
        },
      ],
    });
    expect(panel).toMatchObject({
      version: '7',
      stylize: 250,
      speed: 'relax',
      remix: true,
      privacy: 'stealth',
      suffix: '--v 7 --s 250',
      messageFlags: 64,
    });
    expect(panel?.controls['stylize:100']).toBe('MJ::Settings::Stylization::100');
  });

  it('is undefined for a message with no settings control', () => {
    expect(parseSettingsPanel({ id: '1', flags: 0, content: 'hello', components: [] })).toBeUndefined();
  });
});
