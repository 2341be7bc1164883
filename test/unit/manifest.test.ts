import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../src/slack/scopes';
import { CallbackIds } from '../../views/ids';

interface Manifest {
  features: {
    app_home: { home_tab_enabled: boolean };
    slash_commands: { command: string; url: string }[];
    shortcuts: { type: string; callback_id: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url: string };
    interactivity: { is_enabled: boolean };
  };
}

const file = path.resolve(__dirname, '../../manifest.yml');
const text = fs.readFileSync(file, 'utf8');
const manifest = parse(text) as Manifest;

describe('manifest.yml', () => {
  it('declares /task, both shortcuts, the events, the home tab and interactivity', () => {
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual(['/task']);
    expect(manifest.features.shortcuts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'global', callback_id: CallbackIds.createTaskShortcut }),
        expect.objectContaining({ type: 'message', callback_id: CallbackIds.taskFromMessageShortcut }),
      ]),
    );
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      ['app_home_opened', 'app_mention', 'app_uninstalled', 'message.im', 'tokens_revoked'].sort(),
    );
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
  });

  it('asks for exactly the bot scopes the code uses, each with a comment saying why', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    const lines = text.split('\n');
    for (const scope of BOT_SCOPES) {
      const at = lines.findIndex((line) => line.trim() === `- ${scope}`);
      expect(at).toBeGreaterThan(0);
      expect(lines[at - 1]?.trim().startsWith('#')).toBe(true);
    }
  });
});
