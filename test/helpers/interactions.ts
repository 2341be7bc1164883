import { interactivityBody, postSigned } from '../../src/playground/signing';
import { TEST_SIGNING_SECRET } from './runtime';

/** A block_actions payload from `user` in the test workspace, answered through `responseUrl`. */
export function blockActions(
  user: string,
  responseUrl: string,
  action: Record<string, unknown>,
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user, team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    trigger_id: '1.2.3',
    response_url: responseUrl,
    actions: [{ action_ts: '1', ...action }],
  };
}

/**
 * A view_submission payload from `user` of `team`; `view` holds the submitted view's fields
 * (callback_id, state, blocks…), beside an id and the team.
 */
export function viewSubmission(team: string, user: string, view: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: team, domain: 'test' },
    user: { id: user, team_id: team },
    api_app_id: 'A0TEST',
    trigger_id: '9.9.9',
    view: { id: 'V0MODAL', team_id: team, type: 'modal', ...view },
  };
}

/** Posts an Events API delivery of `event` from `team`, signed as Slack does. */
export function sendEvent(
  baseUrl: string,
  team: string,
  event: Record<string, unknown>,
  options: { eventId: string; eventTime: Date; headers?: Record<string, string> },
): Promise<Response> {
  const body = JSON.stringify({
    token: 'deprecated',
    team_id: team,
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: options.eventId,
    event_time: Math.floor(options.eventTime.getTime() / 1000),
    event,
  });
  return postSigned(`${baseUrl}/slack/events`, body, 'application/json', {
    secret: TEST_SIGNING_SECRET,
    headers: options.headers ?? {},
  });
}

/** Posts an interactivity payload to the app's endpoint, signed as Slack does. */
export function sendInteraction(baseUrl: string, payload: Record<string, unknown>): Promise<Response> {
  return postSigned(`${baseUrl}/slack/events`, interactivityBody(payload), 'application/x-www-form-urlencoded', {
    secret: TEST_SIGNING_SECRET,
  });
}
