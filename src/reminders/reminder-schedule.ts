import type { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { type Task, type TaskDocument, taskModel } from '../db/models/task';
import type { Logger } from '../logger';
import { Scheduler } from '../scheduler/scheduler';
import type { ReminderSync } from '../tasks/task-service';

export const JobNames = {
  fireReminder: 'reminder.fire',
  redeliverReminder: 'reminder.redeliver',
  reconcileReminders: 'reminders.reconcile',
  sendDigest: 'digest.send',
} as const;

export interface FireReminderData {
  taskId: string;
  teamId: string;
}

/**
 * One Agenda job per task, keyed by the task id, due at the task's next fire time. Every task
 * write brings the job in step (sync); the reconciler repairs what a crash between the task write
 * and the job write, or a job finishing over a concurrent edit, can leave behind.
 */
export class ReminderSchedule implements ReminderSync {
  private readonly tasks: Model<Task>;

  constructor(
    private readonly agenda: Agenda,
    private readonly db: Db,
    connection: Connection,
    private readonly logger: Logger,
  ) {
    this.tasks = taskModel(connection);
  }

  async init(): Promise<void> {
    await this.db.collection(Scheduler.COLLECTION).createIndex({ name: 1, 'data.taskId': 1 });
  }

  /**
   * Never throws: the task write has landed, and failing the person's request now would report
   * a change as failed that was made. A job that could not be written is repaired by the
   * reconciler before it is due.
   */
  async sync(task: TaskDocument): Promise<void> {
    try {
      await this.write(task);
    } catch (error) {
      this.logger.error(
        { err: error, taskId: String(task._id) },
        'reminder job not updated; the reconciler will repair it',
      );
    }
  }

  private async write(task: TaskDocument): Promise<void> {
    const taskId = String(task._id);
    if (task.status === 'open' && task.nextFireAt) {
      const data: FireReminderData = { taskId, teamId: task.teamId };
      await this.agenda
        .create(JobNames.fireReminder, data)
        .unique({ 'data.taskId': taskId })
        .schedule(task.nextFireAt)
        .save();
    } else {
      await this.agenda.cancel({ name: JobNames.fireReminder, data: { taskId } });
    }
  }

  /**
   * Every open task with a reminder due within `horizonMs` must have a job due no later than it.
   * Jobs that are running are left alone (they reschedule themselves when they finish), and so are
   * workspaces that removed TaskPilot (their jobs were cancelled on purpose).
   */
  async reconcile(now: Date, horizonMs: number, revokedTeams: ReadonlySet<string> = new Set()): Promise<number> {
    const due = await this.tasks
      .find({
        status: 'open',
        nextFireAt: { $ne: null, $lte: new Date(now.getTime() + horizonMs) },
        // In the query, not after it: a revoked team's overdue tasks never move and would
        // otherwise fill the batch.
        ...(revokedTeams.size > 0 ? { teamId: { $nin: [...revokedTeams] } } : {}),
      })
      .sort({ nextFireAt: 1 })
      .limit(2000);
    if (due.length === 0) return 0;
    const jobs = await this.db
      .collection(Scheduler.COLLECTION)
      .find(
        { name: JobNames.fireReminder, 'data.taskId': { $in: due.map((task) => String(task._id)) } },
        { projection: { 'data.taskId': 1, nextRunAt: 1, lockedAt: 1, failCount: 1 } },
      )
      .toArray();
    const byTask = new Map(jobs.map((job) => [String(job.data?.taskId), job]));
    let repaired = 0;
    for (const task of due) {
      const job = byTask.get(String(task._id));
      // Running, or waiting for a retry: its backoff and retry count are Agenda's to keep.
      if (job?.lockedAt || (job?.failCount ?? 0) > 0) continue;
      const nextRunAt = job?.nextRunAt as Date | null | undefined;
      if (job && nextRunAt && task.nextFireAt && nextRunAt.getTime() <= task.nextFireAt.getTime() + 1000) continue;
      await this.write(task);
      repaired += 1;
    }
    if (repaired > 0) this.logger.warn({ repaired }, 'reminder jobs repaired by the reconciler');
    return repaired;
  }
}
