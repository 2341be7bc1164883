import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import { installationModel } from '../../src/db/models/installation';
import { mongoInstallationStore } from '../../src/slack/installation-store';
import { openTestDatabase, type TestDatabase } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { testLogger } from '../helpers/logger';

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

  it("with a cache: its own revokes and reinstalls at once, another process's after a background refresh", async () => {
    const cached = mongoInstallationStore(database.connection, key, { logger: testLogger(), freshMs: 60_000 });
    const elsewhere = mongoInstallationStore(database.connection, key);
    await cached.storeInstallation(installation('T0CACHE', 'xoxb-cached'));
    expect((await cached.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-cached');

    // Another process revokes it: within freshMs this one still serves what it read, from memory.
    await elsewhere.deleteInstallation?.(workspace('T0CACHE'));
    expect((await cached.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-cached');

    // Its own revoke and reinstall are written through.
    await cached.deleteInstallation?.(workspace('T0CACHE'));
    await expect(cached.fetchInstallation(workspace('T0CACHE'))).rejects.toThrow(/no active installation/);
    await cached.storeInstallation(installation('T0CACHE', 'xoxb-again'));
    expect((await cached.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-again');

    // Once stale, a read is still answered at once and starts the refresh that brings the revoke.
    const quick = mongoInstallationStore(database.connection, key, { logger: testLogger(), freshMs: 1 });
    expect((await quick.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-again');
    await elsewhere.deleteInstallation?.(workspace('T0CACHE'));
    await eventually(
      () =>
        quick.fetchInstallation(workspace('T0CACHE')).then(
          () => undefined,
          (error: Error) => error.message,
        ),
      'the revoke reaching the cached store',
    );

    // Another process reinstalls it: "not installed" is never served from memory.
    await elsewhere.storeInstallation(installation('T0CACHE', 'xoxb-reinstalled'));
    expect((await cached.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-again');
    await cached.deleteInstallation?.(workspace('T0CACHE'));
    await elsewhere.storeInstallation(installation('T0CACHE', 'xoxb-reinstalled'));
    expect((await cached.fetchInstallation(workspace('T0CACHE'))).bot?.token).toBe('xoxb-reinstalled');
  });

  it('cannot read tokens with another key', async () => {
    const store = mongoInstallationStore(database.connection, key);
    await store.storeInstallation(installation('T0THREE', 'xoxb-three'));
    const other = mongoInstallationStore(database.connection, randomBytes(32));
    await expect(other.fetchInstallation(workspace('T0THREE'))).rejects.toThrow();
  });
});
