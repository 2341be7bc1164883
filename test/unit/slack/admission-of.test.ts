import { admissionOf } from '../../../src/slack/admission-middleware';

describe('admissionOf: which payloads take a slot, and how a refused one is told', () => {
  it('answers commands, message buttons and message shortcuts through their response URL', () => {
    expect(admissionOf({ command: '/task', response_url: 'https://hooks/x' })).toEqual({ via: 'respond' });
    expect(admissionOf({ type: 'block_actions', response_url: 'https://hooks/x', user: { id: 'U1' } })).toEqual({
      via: 'respond',
    });
    expect(admissionOf({ type: 'message_action', response_url: 'https://hooks/x' })).toEqual({ via: 'respond' });
  });

  it('tells home-tab clicks and global shortcuts by DM, and leaves a form input change untold', () => {
    expect(admissionOf({ type: 'block_actions', user: { id: 'U1' }, view: { type: 'home' } })).toEqual({
      via: 'dm',
      userId: 'U1',
    });
    expect(admissionOf({ type: 'shortcut', user: { id: 'U2' } })).toEqual({ via: 'dm', userId: 'U2' });
    expect(admissionOf({ type: 'block_actions', user: { id: 'U1' }, view: { type: 'modal' } })).toEqual({
      via: 'nobody',
    });
  });

  it('puts a refused form submission’s note on its first input', () => {
    const body = {
      type: 'view_submission',
      user: { id: 'U1' },
      view: {
        type: 'modal',
        blocks: [
          { type: 'section', block_id: 'intro' },
          { type: 'input', block_id: 'title' },
        ],
      },
    };
    expect(admissionOf(body)).toEqual({ via: 'form', blockId: 'title', userId: 'U1' });
  });

  it('answers mentions and DMs in their thread; other events never wait for a slot', () => {
    const event = (fields: Record<string, string>) => ({
      type: 'event_callback',
      event: { channel: 'C1', ts: '1.1', user: 'U1', ...fields },
    });
    expect(admissionOf(event({ type: 'app_mention' }))).toEqual({ via: 'thread', channel: 'C1', threadTs: '1.1' });
    expect(admissionOf(event({ type: 'message', channel_type: 'im', thread_ts: '0.9' }))).toEqual({
      via: 'thread',
      channel: 'C1',
      threadTs: '0.9',
    });
    expect(admissionOf(event({ type: 'message', channel_type: 'channel' }))).toBeUndefined();
    expect(admissionOf(event({ type: 'message', channel_type: 'im', bot_id: 'B1' }))).toBeUndefined();
    expect(admissionOf(event({ type: 'message', channel_type: 'im', subtype: 'message_changed' }))).toBeUndefined();
    expect(admissionOf({ type: 'event_callback', event: { type: 'app_home_opened', user: 'U1' } })).toBeUndefined();
    expect(admissionOf({ type: 'event_callback', event: { type: 'app_uninstalled' } })).toBeUndefined();
    expect(admissionOf({ type: 'view_closed' })).toBeUndefined();
  });
});
