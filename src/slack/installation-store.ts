import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Connection } from 'mongoose';
import { installationModel } from '../db/models/installation';
import { workspaceModel } from '../db/models/workspace';
import { decryptSecret, encryptSecret } from '../util/crypto';

/** The document key: the org for org-wide installs, otherwise the workspace. */
function keyOf(query: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }): string {
  const key = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
  if (!key) throw new Error('installation query names neither a workspace nor an org');
  return key;
}

/**
 * Installations in MongoDB with the tokens encrypted at rest. A revoked installation (uninstall,
 * tokens_revoked) is kept for the audit trail but is never handed back to Bolt.
 */
export function mongoInstallationStore(connection: Connection, key: Buffer): InstallationStore {
  const Installations = installationModel(connection);
  const Workspaces = workspaceModel(connection);
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
      // A reinstall lifts an uninstall's mark (other processes see it within their cache time).
      if (installation.team?.id) {
        await Workspaces.updateOne({ _id: installation.team.id }, { $set: { revokedAt: null, revokedReason: null } });
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const doc = await Installations.findOne({ key: keyOf(query), revokedAt: { $exists: false } }).lean();
      if (!doc) throw new Error(`no active installation for ${keyOf(query)}`);
      return JSON.parse(decryptSecret(doc.sealed, key)) as Installation<'v1' | 'v2', boolean>;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await Installations.updateOne({ key: keyOf(query) }, { $set: { revokedAt: new Date() } });
    },
  };
}
