/**
 * The bot scopes TaskPilot asks for; manifest.yml lists the same ones with the reason for each
 * (a unit test keeps the two in step).
 */
export const BOT_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'commands',
  'files:write',
  'im:history',
  'im:write',
  'users:read',
] as const;
