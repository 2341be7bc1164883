import type { App } from '@slack/bolt';
import type { Services } from '../../src/services';
import { appHomeOpened } from './app-home';
import { lifecycleEvent } from './lifecycle';
import { appMention, directMessage } from './messages';

export function registerEvents(app: App, services: Services): void {
  app.event('app_home_opened', appHomeOpened(services));
  app.event('app_mention', appMention(services));
  app.event('message', directMessage(services));
  app.event('app_uninstalled', lifecycleEvent(services));
  app.event('tokens_revoked', lifecycleEvent(services));
}
