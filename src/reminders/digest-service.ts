import type { Agenda } from 'agenda';
import { DateTime } from 'luxon';
import type { Connection, Model } from 'mongoose';
import { buildDigest } from '../../views/reminder';
import type { DeliveryTarget } from '../db/models/delivery';
import { type UserSettings, userSettingsModel } from '../db/models/user-settings';
import type { Logger } from '../logger';
import type { SlackPoster } from '../slack/poster';
import type { WorkspaceClients } from '../slack/workspace-clients';
import { toSummary } from '../tasks/task-commands';
import type { TaskService } from '../tasks/task-service';
import type { Deliveries } from './deliveries';
import { JobNames } from './reminder-schedule';
import type { FireHooks } from './reminder-service';

export const DIGEST_HOUR = 9;
/** A digest more than this late (TaskPilot was down all morning) is not sent: the next one is. */
const STALE_AFTER_MS = 3 * 60 * 60_000;

export interface DigestData {
  teamId: string;
  userId: string;
}

export interface DigestServiceOptions {
  connection: Connection;
  agenda: Agenda;
  tasks: TaskService;
  deliveries: Deliveries;
  clients: WorkspaceClients;
  poster: SlackPoster;
  logger: Logger;
  now?: () => Date;
}

/** The next `hour`:00 in `tz` strictly after `after` (DST-safe: a skipped hour moves forward). */
export function nextDigestTime(hour: number, tz: string, after: Date): Date {
  const local = DateTime.fromJSDate(after, { zone: tz });
  let slot = local.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (slot <= local) slot = slot.plus({ days: 1 }).set({ hour, minute: 0 });
  return slot.toJSDate();
}

/** The morning digest (opt-in, `/task digest on|off`): one DM at 09:00 local with today's tasks. */
export class DigestService {
  private readonly settings: Model<UserSettings>;
  private readonly now: () => Date;

  constructor(private readonly options: DigestServiceOptions) {
    this.settings = userSettingsModel(options.connection);
    this.now = options.now ?? (() => new Date());
  }

  async init(): Promise<void> {
    await this.settings.init();
  }

  /** Turns the digest on or off; returns when the next one goes out. */
  async set(teamId: string, userId: string, enabled: boolean, tz: string): Promise<Date | null> {
    await this.settings.updateOne(
      { teamId, userId },
      { $set: { digest: { enabled, hour: DIGEST_HOUR, tz } } },
      { upsert: true },
    );
    const data: DigestData = { teamId, userId };
    if (!enabled) {
      await this.options.agenda.cancel({ name: JobNames.sendDigest, data });
      return null;
    }
    const next = nextDigestTime(DIGEST_HOUR, tz, this.now());
    await this.options.agenda
      .create(JobNames.sendDigest, data)
      .unique({ 'data.teamId': teamId, 'data.userId': userId })
      .schedule(next)
      .save();
    return next;
  }

  /** After a reinstall: schedules again the digests that were on when the workspace was revoked. */
  async resume(teamId: string): Promise<number> {
    const enabled = await this.settings.find({ teamId, 'digest.enabled': true }).lean();
    for (const settings of enabled) await this.set(teamId, settings.userId, true, settings.digest.tz);
    return enabled.length;
  }

  /** When the person's next digest is due (null: the digest is off). */
  async nextRun(data: DigestData): Promise<Date | null> {
    const settings = await this.settings.findOne({ teamId: data.teamId, userId: data.userId }).lean();
    if (!settings?.digest.enabled) return null;
    return nextDigestTime(settings.digest.hour, settings.digest.tz, this.now());
  }

  /** Sends today's digest once (the Delivery claim); returns when the job runs next. */
  async send(data: DigestData, hooks: FireHooks): Promise<Date | null> {
    const settings = await this.settings.findOne({ teamId: data.teamId, userId: data.userId }).lean();
    if (!settings?.digest.enabled) return null;
    const { hour, tz } = settings.digest;
    const now = this.now();
    const next = nextDigestTime(hour, tz, now);
    // The slot this run is for: the latest hour:00 at or before now (a second of timer slack).
    let slot = DateTime.fromJSDate(now, { zone: tz }).set({ hour, minute: 0, second: 0, millisecond: 0 });
    if (slot.toMillis() > now.getTime() + 1000) slot = slot.minus({ days: 1 }).set({ hour, minute: 0 });
    const at = slot.toJSDate();
    if (now.getTime() - at.getTime() > STALE_AFTER_MS) return next;
    const claim = await this.options.deliveries.claim({
      key: `digest:${data.teamId}:${data.userId}`,
      at,
      teamId: data.teamId,
      taskId: null,
      late: false,
    });
    if (claim.kind === 'busy') return claim.until;
    if (claim.kind === 'finished') return next;
    try {
      const endOfDay = DateTime.fromJSDate(now, { zone: tz }).endOf('day').toJSDate();
      const open = await this.options.tasks.list({ teamId: data.teamId, userId: data.userId, scope: 'mine' });
      const today = open.filter((task) => {
        const due = task.nextFireAt ?? task.dueAt;
        return due !== null && due <= endOfDay;
      });
      const message = buildDigest(today.map(toSummary), {
        tz,
        now,
        dayLabel: DateTime.fromJSDate(now, { zone: tz }).toFormat('cccc d LLLL'),
      });
      const { clients, poster } = this.options;
      const client = await clients.forTeam(data.teamId);
      const onWait = () => hooks.touch();
      const channel = await poster.openDm(client, data.teamId, data.userId, onWait);
      const targets: DeliveryTarget[] = [];
      if (channel) {
        const posted = await poster.call<{ ok: boolean; ts?: string }>(
          client,
          data.teamId,
          'chat.postMessage',
          { channel, ...message },
          { channel, onWait },
        );
        targets.push({ key: `u:${data.userId}`, channel, userId: data.userId, threadTs: null, ts: posted.ts ?? '' });
      }
      await this.options.deliveries.finish(claim.delivery, 'sent', { targets });
    } catch (error) {
      await this.options.deliveries.release(claim.delivery);
      throw error;
    }
    return next;
  }
}
