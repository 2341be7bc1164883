import type { ModalView } from '@slack/types';
import { buildTaskForm, EMPTY_FORM, type TaskFormFields, type TaskFormMeta } from '../../views/task-form';
import type { TaskDocument } from '../db/models/task';
import { UserInputError } from '../errors';
import { parseWithFallbackParser } from '../parse';
import {
  checkFields,
  type FormErrors,
  type FormSchedule,
  fieldsOfTask,
  previewOf,
  readTaskForm,
  readTaskFormMeta,
  resolveSchedule,
  scheduleChanged,
  type ViewStateValues,
} from './task-form';
import { type Actor, TaskForbiddenError, type TaskService } from './task-service';

export interface TaskFormsOptions {
  tasks: TaskService;
  now: () => Date;
}

/** A message a task is made from (the message shortcut). */
export interface SourceMessage {
  text: string;
  channelId: string | null;
  permalink: string | null;
}

/** A checked form, ready to be written. */
export interface FormPlan {
  meta: TaskFormMeta;
  fields: TaskFormFields;
  /** Null when an edit leaves the schedule as it was. */
  schedule: FormSchedule | null;
}

/** The first line of a message as a title; the whole message goes to the notes when it is longer. */
function titleFromMessage(text: string): { title: string; notes: string } {
  const clean = text.trim();
  const firstLine = clean.split('\n', 1)[0]?.trim() ?? '';
  const title = firstLine.length > 150 ? `${firstLine.slice(0, 149)}…` : firstLine;
  return { title, notes: clean !== title ? clean.slice(0, 3000) : '' };
}

/**
 * The New / Edit task modal: opening it (blank, from a message, or on a task), its live preview,
 * and turning a submission into a create or an edit through the task service.
 */
export class TaskForms {
  constructor(private readonly options: TaskFormsOptions) {}

  /**
   * The schedule the form describes, in the person's zone `tz`. A custom repeat is read by the
   * deterministic parser: the form's answers (a modal to open, errors on submit) must reach Slack
   * within 3 s, and an OpenAI call may take 2.5 s of it.
   */
  private schedule(fields: TaskFormFields, tz: string) {
    const now = this.options.now();
    return resolveSchedule(fields, { tz, now, parse: async (text) => parseWithFallbackParser(text, { now, tz }) });
  }

  private async render(fields: TaskFormFields, meta: TaskFormMeta, tz: string): Promise<ModalView> {
    const result = await this.schedule(fields, tz);
    const now = this.options.now();
    return buildTaskForm(fields, meta, { tz, now, preview: previewOf(result, tz, now) });
  }

  /** A blank form, or one filled from a message (its text, and a link back to it). */
  newForm(tz: string, message?: SourceMessage): Promise<ModalView> {
    const fields = message ? { ...EMPTY_FORM, ...titleFromMessage(message.text) } : EMPTY_FORM;
    const meta: TaskFormMeta = {
      mode: 'new',
      ...(message ? { permalink: message.permalink, sourceChannelId: message.channelId } : {}),
    };
    return this.render(fields, meta, tz);
  }

  /** The form on an existing task, for someone allowed to change it. */
  async editForm(actor: Actor, number: number, tz: string): Promise<ModalView> {
    const task = await this.options.tasks.get(actor.teamId, number);
    if (!this.options.tasks.canChange(task, actor)) throw new TaskForbiddenError(number);
    const fields = fieldsOfTask(task, tz);
    const meta: TaskFormMeta = {
      mode: 'edit',
      number,
      original: { date: fields.date, time: fields.time, repeat: fields.repeat, customRepeat: fields.customRepeat },
    };
    return this.render(fields, meta, tz);
  }

  /** The form again with its preview brought up to date (a date, time or repeat changed). */
  preview(view: { state?: { values?: ViewStateValues }; private_metadata?: string }, tz: string) {
    const meta = readTaskFormMeta(view.private_metadata);
    return this.render(readTaskForm(view.state?.values ?? {}), meta, tz);
  }

  /** Checks a submission: the errors to show in place, or what to write. */
  async check(
    view: { state?: { values?: ViewStateValues }; private_metadata?: string },
    tz: string,
  ): Promise<{ errors: FormErrors } | { plan: FormPlan }> {
    const meta = readTaskFormMeta(view.private_metadata);
    const fields = readTaskForm(view.state?.values ?? {});
    const errors = checkFields(fields);
    let schedule: FormSchedule | null = null;
    if (meta.mode === 'new' || scheduleChanged(fields, meta)) {
      const result = await this.schedule(fields, tz);
      if ('errors' in result) Object.assign(errors, result.errors);
      else schedule = result.schedule;
    }
    if (Object.keys(errors).length > 0) return { errors };
    return { plan: { meta, fields, schedule } };
  }

  /** Writes a checked form: a new task, or the edit of one. */
  async save(plan: FormPlan, actor: Actor, tz: string): Promise<{ task: TaskDocument; occurrences: Date[] }> {
    const { meta, fields, schedule } = plan;
    const { tasks } = this.options;
    if (meta.mode === 'edit') {
      if (!meta.number) throw new UserInputError('That form is out of date. Please open it again.');
      const task = await tasks.edit(actor, meta.number, {
        title: fields.title,
        notes: fields.notes,
        assignees: fields.assignees,
        channelId: fields.channelId,
        ...(schedule ? { dueAt: schedule.dueAt, recurrence: schedule.recurrence } : {}),
      });
      return { task, occurrences: schedule?.occurrences ?? [] };
    }
    const task = await tasks.create({
      teamId: actor.teamId,
      creatorId: actor.userId,
      title: fields.title,
      notes: fields.notes,
      assignees: fields.assignees,
      channelId: fields.channelId,
      dueAt: schedule?.dueAt ?? null,
      recurrence: schedule?.recurrence ?? null,
      tz,
      source: {
        kind: meta.permalink ? 'shortcut' : 'modal',
        channelId: meta.sourceChannelId ?? null,
        permalink: meta.permalink ?? null,
      },
    });
    return { task, occurrences: schedule?.occurrences ?? [] };
  }
}
