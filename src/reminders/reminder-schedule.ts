import type { Agenda } from 'agenda';
import { type Db, ObjectId } from 'mongodb';
import type { Connection, Model } from 'mongoose';
import { type Task, type TaskDocument, taskModel } from '../db/models/task';
import type { Logger } from '../logger';
import { Scheduler } from '../scheduler/scheduler';
import type { ReminderSync } from '../tasks/task-service';
import type { FireOutcome } from './reminder-service';

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
 * Open tasks of active workspaces that fire by `until`. Revoked teams are left out in the query,
 * not after it: their overdue tasks never move and would otherwise fill a batch.
 */
const dueFilter = (until: Date, revokedTeams: ReadonlySet<string>) => ({
  status: 'open' as const,
  nextFireAt: { $ne: null, $lte: until },
  ...(revokedTeams.size > 0 ? { teamId: { $nin: [...revokedTeams] } } : {}),
});

/** A task's Agenda job has the task's id, so our writes to it need no other filter. */
const jobIdOf = (taskId: string): ObjectId => new ObjectId(taskId);

/**
 * One Agenda job per task, keyed by the task id. The job is the backstop: the dispatcher fires a
 * task on time from an in-process timer, and the job stands `backstopMs` after the task's fire
 * time, so Agenda (whose lock query scans the job collection on FerretDB, once per job) runs it
 * only when the on-time firing did not happen: the worker died mid-delivery, Slack or the
 * database failed (then Agenda's backoff and the dead-letter queue take over), or no worker ran.
 * Every task write brings the job in step (sync); the reconciler repairs what a crash between the
 * task write and the job write, or a job finishing over a concurrent edit, can leave behind.
 */
export class ReminderSchedule implements ReminderSync {
  private readonly tasks: Model<Task>;

  constructor(
    private readonly agenda: Agenda,
    private readonly db: Db,
    connection: Connection,
    private readonly logger: Logger,
    /** How long after a fire time the job steps in; longer than Agenda's poll, which locks ahead. */
    private readonly backstopMs: number,
    /** Told of every task write in this process (the dispatcher, for tasks due before its next scan). */
    private readonly onSync: (task: TaskDocument) => void = () => {},
  ) {
    this.tasks = taskModel(connection);
  }

  async init(): Promise<void> {
    await this.db.collection(Scheduler.COLLECTION).createIndex({ name: 1, 'data.taskId': 1 });
  }

  /** When the task's job should run, given when the task fires next. */
  backstopFor(fireAt: Date): Date {
    return new Date(fireAt.getTime() + this.backstopMs);
  }

  /** The job's next run after a firing: the backstop of the next fire time, or a busy lease's end. */
  nextJobRun(outcome: FireOutcome): Date | null {
    if (outcome.kind === 'busy') return outcome.until;
    return outcome.next ? this.backstopFor(outcome.next) : null;
  }

  /**
   * Never throws: the task write has landed, and failing the person's request now would report
   * a change as failed that was made. A job that could not be written is repaired by the
   * reconciler before it is due.
   */
  async sync(task: TaskDocument): Promise<void> {
    this.onSync(task);
    try {
      await this.write(task);
    } catch (error) {
      this.logger.error(
        { err: error, taskId: String(task._id) },
        'reminder job not updated; the reconciler will repair it',
      );
    }
  }

  /**
   * After the dispatcher fired a task: its job moves to the next fire time's backstop, or goes.
   * By `_id` alone (the one filter FerretDB serves from an index). Should Agenda be running the
   * job at that moment, it saves its own next run when it finishes (or, for a job deleted under
   * it, logs that it could not). An edit landing between the firing and this write can be undone
   * here for the job only; the dispatcher still fires the task from its scan, and the reconciler
   * puts the job right within 30 s. Never throws: the reminder went out.
   */
  async afterDispatch(taskId: string, next: Date | null): Promise<void> {
    try {
      const jobs = this.db.collection(Scheduler.COLLECTION);
      const filter = { _id: jobIdOf(taskId) };
      if (next) await jobs.updateOne(filter, { $set: { nextRunAt: this.backstopFor(next) } });
      else await jobs.deleteOne(filter);
    } catch (error) {
      this.logger.warn({ err: error, taskId }, 'reminder sent, but its job was not moved; the reconciler will');
    }
  }

  /** Open tasks of active workspaces that fire by `until`, soonest first (the dispatcher's scan). */
  async dueBy(until: Date, revokedTeams: ReadonlySet<string>): Promise<{ taskId: string; at: Date }[]> {
    const due = await this.tasks
      .find(dueFilter(until, revokedTeams), { nextFireAt: 1 })
      .sort({ nextFireAt: 1 })
      .limit(5000)
      .lean();
    return due.flatMap((task) => (task.nextFireAt ? [{ taskId: String(task._id), at: task.nextFireAt }] : []));
  }

  private async write(task: TaskDocument): Promise<void> {
    const taskId = String(task._id);
    if (task.status === 'open' && task.nextFireAt) {
      const data: FireReminderData = { taskId, teamId: task.teamId };
      await this.agenda
        .create(JobNames.fireReminder, data)
        .unique({ _id: jobIdOf(taskId) })
        .schedule(this.backstopFor(task.nextFireAt))
        .save();
    } else {
      await this.agenda.cancel({ id: taskId, name: JobNames.fireReminder });
    }
  }

  /**
   * Every open task with a reminder due within `horizonMs` must have a job due no later than its
   * backstop. Jobs that are running are left alone (they reschedule themselves when they finish),
   * and so are workspaces that removed TaskPilot (their jobs were cancelled on purpose).
   */
  async reconcile(now: Date, horizonMs: number, revokedTeams: ReadonlySet<string> = new Set()): Promise<number> {
    const filter = dueFilter(new Date(now.getTime() + horizonMs), revokedTeams);
    const due = await this.tasks.find(filter).sort({ nextFireAt: 1 }).limit(2000);
    if (due.length === 0) return 0;
    const jobs = await this.db
      .collection(Scheduler.COLLECTION)
      .find(
        { name: JobNames.fireReminder, 'data.taskId': { $in: due.map((task) => String(task._id)) } },
        { projection: { 'data.taskId': 1, nextRunAt: 1, lockedAt: 1, failCount: 1 } },
      )
      .toArray();
    const byTask = new Map(jobs.map((job) => [String(job.data?.taskId), job]));
    const needsJob = (task: TaskDocument): boolean => {
      const job = byTask.get(String(task._id));
      // Running, or waiting for a retry: its backoff and retry count are Agenda's to keep.
      if (job?.lockedAt || (job?.failCount ?? 0) > 0) return false;
      const nextRunAt = job?.nextRunAt as Date | null | undefined;
      return !(
        job &&
        nextRunAt &&
        task.nextFireAt &&
        nextRunAt.getTime() <= this.backstopFor(task.nextFireAt).getTime() + 1000
      );
    };
    const suspects = due.filter(needsJob);
    if (suspects.length === 0) return 0;
    // A firing recorded between the two reads moved the task on and then its job (removed a
    // one-off's): read those tasks again, so the job is not put back for a fire time now past.
    const current = await this.tasks.find({ ...filter, _id: { $in: suspects.map((task) => task._id) } });
    let repaired = 0;
    for (const task of current) {
      if (!needsJob(task)) continue;
      await this.write(task);
      repaired += 1;
    }
    if (repaired > 0) this.logger.warn({ repaired }, 'reminder jobs repaired by the reconciler');
    return repaired;
  }
}
