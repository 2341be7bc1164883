import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Connection } from 'mongoose';
import { installationModel } from '../db/models/installation';
import { workspaceModel } from '../db/models/workspace';
import type { Logger } from '../logger';
import { decryptSecret, encryptSecret } from '../util/crypto';
import { StaleCache } from '../util/stale-cache';

type StoredInstallation = Installation<'v1' | 'v2', boolean>;

export interface InstallationCacheOptions {
  logger: Logger;
  /** How long a fetched installation is fresh; older, it is served while being read again. */
  freshMs?: number;
}

/** The document key: the org for org-wide installs, otherwise the workspace. */
function keyOf(query: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  const key = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
  if (!key) throw new Error('installation query names neither a workspace nor an org');
  return key;
}

/**
 * Installations in MongoDB with the tokens encrypted at rest. A revoked installation (uninstall,
 * tokens_revoked) is kept for the audit trail but is never handed back to Bolt.
 *
 * Bolt fetches the installation for every request before anything else runs, so with `cache`
 * fetches are served from memory and refreshed in the background (one read per workspace at a
 * time); this process's own installs and revokes are written through. Another process's revoke
 * reaches this one within `freshMs` and one request.
 */
export function mongoInstallationStore(
  connection: Connection,
  key: Buffer,
  cache?: InstallationCacheOptions,
): InstallationStore {
  const Installations = installationModel(connection);
  const Workspaces = workspaceModel(connection);
  const cached = cache
    ? new StaleCache<StoredInstallation | null>({
        name: 'installation',
        freshMs: cache.freshMs ?? 30_000,
        maxEntries: 10_000,
        firstLoadWaitMs: 2000,
        logger: cache.logger,
      })
    : undefined;
  const read = async (docKey: string): Promise<StoredInstallation | null> => {
    const doc = await Installations.findOne({ key: docKey, revokedAt: { $exists: false } }).lean();
    return doc ? (JSON.parse(decryptSecret(doc.sealed, key)) as StoredInstallation) : null;
  };
  return {
    async storeInstallation(installation) {
      const isEnterpriseInstall = Boolean(installation.isEnterpriseInstall);
      const docKey = keyOf({
        isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      await Installations.updateOne(
        { key: docKey },
        {
          $set: {
            teamId: installation.team?.id,
            enterpriseId: installation.enterprise?.id,
            isEnterpriseInstall,
            sealed: encryptSecret(JSON.stringify(installation), key),
          },
          $unset: { revokedAt: 1 },
          $setOnInsert: { installedAt: new Date() },
        },
        { upsert: true },
      );
      cached?.set(docKey, installation as StoredInstallation);
      // A reinstall lifts an uninstall's mark (other processes see it within their cache time).
      if (installation.team?.id) {
        await Workspaces.updateOne({ _id: installation.team.id }, { $set: { revokedAt: null, revokedReason: null } });
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const docKey = keyOf(query);
      let installation = cached ? await cached.get(docKey, () => read(docKey)) : await read(docKey);
      if (!installation && cached) {
        // "Not installed" is never taken from the cache: another process may have installed it
        // since. Such requests are rare; the installed ones keep their stale-while-refresh answer.
        installation = await read(docKey);
        if (installation) cached.set(docKey, installation);
      }
      if (!installation) throw new Error(`no active installation for ${docKey}`);
      return installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const docKey = keyOf(query);
      await Installations.updateOne({ key: docKey }, { $set: { revokedAt: new Date() } });
      cached?.set(docKey, null);
    },
  };
}
