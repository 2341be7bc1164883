import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import { installationModel } from '../../src/db/models/installation';
import { mongoInstallationStore } from '../../src/slack/installation-store';
import { openTestDatabase, type TestDatabase } from '../helpers/db';

const installation = (teamId: string, token: string): Installation<'v2', false> => ({
  team: { id: teamId, name: 'Test' },
  enterprise: undefined,
  user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
  bot: { id: 'B0BOT', userId: 'U0BOT', token, scopes: ['chat:write', 'commands'] },
  tokenType: 'bot',
  isEnterpriseInstall: false,
  appId: 'A0TEST',
  authVersion: 'v2',
});

const workspace = (teamId: string) => ({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });

describe('installation store on the MongoDB-wire server (mongoose)', () => {
  let database: TestDatabase;
  const key = randomBytes(32);

  beforeAll(async () => {
    database = await openTestDatabase('installations');
  });
  afterAll(() => database.cleanup());

  it('writes an installation with the token encrypted and reads it back', async () => {
    const store = mongoInstallationStore(database.connection, key);
    await store.storeInstallation(installation('T0ONE', 'xoxb-secret-one'));

    const fetched = await store.fetchInstallation(workspace('T0ONE'));
    expect(fetched.bot?.token).toBe('xoxb-secret-one');

    const raw = await database.connection.db?.collection('installations').findOne({ key: 'T0ONE' });
    expect(raw).toBeTruthy();
    expect(JSON.stringify(raw)).not.toContain('xoxb-secret-one');
  });

  it('replaces a reinstall in place and refuses a revoked installation', async () => {
    const store = mongoInstallationStore(database.connection, key);
    await store.storeInstallation(installation('T0TWO', 'xoxb-first'));
    await store.storeInstallation(installation('T0TWO', 'xoxb-second'));
    const Installations = installationModel(database.connection);
    expect(await Installations.countDocuments({ key: 'T0TWO' })).toBe(1);
    expect((await store.fetchInstallation(workspace('T0TWO'))).bot?.token).toBe('xoxb-second');

    await store.deleteInstallation?.(workspace('T0TWO'));
    await expect(store.fetchInstallation(workspace('T0TWO'))).rejects.toThrow(/no active installation/);

    // Reinstalling after an uninstall makes it active again.
    await store.storeInstallation(installation('T0TWO', 'xoxb-third'));
    expect((await store.fetchInstallation(workspace('T0TWO'))).bot?.token).toBe('xoxb-third');
  });

  it('cannot read tokens with another key', async () => {
    const store = mongoInstallationStore(database.connection, key);
    await store.storeInstallation(installation('T0THREE', 'xoxb-three'));
    const other = mongoInstallationStore(database.connection, randomBytes(32));
    await expect(other.fetchInstallation(workspace('T0THREE'))).rejects.toThrow();
  });
});
