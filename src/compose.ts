import os from 'node:os';
import type { Connection } from 'mongoose';
import OpenAI from 'openai';
import { AgentPolicy } from './agent/agent-policy';
import { AgentRuns } from './agent/agent-runs';
import { executeRun } from './agent/run-executor';
import { RunReporter } from './agent/run-reporter';
import type { Config } from './config';
import { HomeTab } from './home/home-tab';
import type { Logger } from './logger';
import { TaskNotifier } from './notify/task-notifier';
import { RequestParser } from './parse/request-parser';
import { DeadLetters } from './reminders/dead-letters';
import { Deliveries } from './reminders/deliveries';
import { DigestService } from './reminders/digest-service';
import { ReminderDispatcher } from './reminders/reminder-dispatcher';
import { ReminderSchedule } from './reminders/reminder-schedule';
import { type FireOutcome, ReminderService } from './reminders/reminder-service';
import { createDocker } from './sandbox/docker';
import { createMasker } from './sandbox/mask';
import type { Scheduler } from './scheduler/scheduler';
import type { Services } from './services';
import { mongoInstallationStore } from './slack/installation-store';
import { MessageRequests } from './slack/message-requests';
import { SlackPoster } from './slack/poster';
import { ProcessedEvents } from './slack/processed-events';
import { UserProfiles } from './slack/user-profiles';
import { WorkspaceClients } from './slack/workspace-clients';
import { TaskForms } from './tasks/task-forms';
import { TaskService } from './tasks/task-service';
import { UsageService } from './usage/usage-service';
import { Admission } from './util/admission';
import { BackgroundWork } from './util/background';
import { Workspaces } from './workspaces/workspaces';

/** This process in job locks and delivery leases: unique across hosts and restarts. */
export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** Builds every service over one connection and scheduler, and their indexes. */
export async function composeServices(input: {
  config: Config;
  connection: Connection;
  scheduler: Scheduler;
  logger: Logger;
  now: () => Date;
}): Promise<Services> {
  const { config, connection, scheduler, logger, now } = input;
  const db = connection.db;
  if (!db) throw new Error('mongodb connection has no database');
  // The dispatcher fires what the schedule says is due; the schedule tells it of every task write.
  let dispatcher: ReminderDispatcher | undefined;
  const reminderSchedule = new ReminderSchedule(
    scheduler.agenda,
    db,
    connection,
    logger,
    config.jobs.backstopMs,
    (task) => dispatcher?.notice(String(task._id), task.status === 'open' ? task.nextFireAt : null),
  );
  const tasks = new TaskService(connection, now, reminderSchedule);
  const usage = new UsageService(connection, config.openai.monthlyBudgetUsd, now);
  const parser = new RequestParser({
    mode: config.openai.parser,
    logger,
    usage,
    timeoutMs: config.openai.timeoutMs,
    openai: config.openai.apiKey
      ? { apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.model }
      : undefined,
  });
  const auth = config.slack.auth;
  const installations =
    auth.kind === 'oauth' && config.encryptionKey
      ? mongoInstallationStore(connection, config.encryptionKey, { logger })
      : undefined;
  // The two know each other: a revoked workspace gets no client, and revoking drops cached ones.
  let clients: WorkspaceClients | undefined;
  const workspaces = new Workspaces({
    connection,
    agenda: scheduler.agenda,
    logger,
    installations,
    forget: (teamId) => clients?.forget(teamId),
    resume: (teamId): Promise<number> => digests.resume(teamId),
    now,
  });
  clients = new WorkspaceClients({
    apiUrl: config.slack.apiUrl,
    ...(auth.kind === 'single' ? { botToken: auth.botToken } : installations ? { installations } : {}),
    isRevoked: (teamId): Promise<boolean> => workspaces.isRevoked(teamId),
  });
  const poster = new SlackPoster({ logger });
  const deliveries = new Deliveries(connection, workerName(), config.jobs.lockLifetimeMs, now);
  // Scheduled agent tasks start a run where other tasks post a reminder; the two are built apart.
  let agentRuns: AgentRuns | undefined;
  const reminders = new ReminderService({
    connection,
    deliveries,
    clients,
    poster,
    logger,
    now,
    startAgentRun: (task, at) => (agentRuns as AgentRuns).startScheduled(task, at),
  });
  dispatcher = new ReminderDispatcher({
    dueBy: async (until) => reminderSchedule.dueBy(until, await workspaces.revokedTeams()),
    fire: async (taskId) => {
      const afterFire = async (outcome: FireOutcome) => {
        if (outcome.kind === 'fired') await reminderSchedule.afterDispatch(taskId, outcome.next);
        return outcome.kind === 'busy' ? null : outcome.next;
      };
      const sent = await reminders.send(taskId, { touch: async () => {} });
      if (sent.kind === 'settled') return { next: await afterFire(sent.outcome) };
      return { record: async () => afterFire(await sent.record()) };
    },
    scanEveryMs: config.jobs.dispatchMs,
    concurrency: config.jobs.concurrency,
    logger,
    now: () => now().getTime(),
  });
  const digests = new DigestService({
    connection,
    agenda: scheduler.agenda,
    tasks,
    deliveries,
    clients,
    poster,
    logger,
    now,
  });
  const deadLetters = new DeadLetters(connection, { clients, poster, logger });
  const agentPolicy = new AgentPolicy(connection, config.agents);
  const openai = config.openai.apiKey
    ? {
        client: new OpenAI({ apiKey: config.openai.apiKey, baseURL: config.openai.baseUrl, maxRetries: 1 }),
        model: config.openai.model,
      }
    : undefined;
  const docker = createDocker(config.sandbox.dockerHost);
  const mask = createMasker(config.secretValues);
  agentRuns = new AgentRuns({
    connection,
    agenda: scheduler.agenda,
    policy: agentPolicy,
    reporter: new RunReporter({
      clients,
      poster,
      logger,
      limits: { memoryMb: config.sandbox.memoryMb, timeoutSeconds: config.sandbox.timeoutSeconds },
    }),
    usage,
    execute: (run, signal) =>
      executeRun(
        { docker, mask, sandbox: config.sandbox, repos: config.agents.repos, llm: config.agents.llm, openai, logger },
        run,
        signal,
      ),
    config: {
      enabled: config.sandbox.enabled,
      concurrency: config.agents.concurrency,
      repos: config.agents.repos,
      llmAvailable: openai !== undefined,
    },
    mask,
    logger,
    worker: workerName(),
    now,
  });
  const profiles = new UserProfiles(logger);
  const background = new BackgroundWork(logger);
  // Requests may queue four deep per slot; beyond that, or after the wait, they are told busy.
  const admission = new Admission({
    maxInFlight: config.admission.maxInFlight,
    maxQueued: 4 * config.admission.maxInFlight,
    maxWaitMs: config.admission.maxWaitMs,
  });
  const home = new HomeTab({
    tasks,
    profiles,
    clients,
    usage,
    monthlyBudgetUsd: config.openai.monthlyBudgetUsd,
    background,
    admission,
    logger,
    now,
  });
  tasks.watch(new TaskNotifier({ clients, poster, profiles, background, logger, now }));
  tasks.watch(home);
  const processedEvents = new ProcessedEvents(connection, now);
  await Promise.all([
    tasks.init(),
    deliveries.init(),
    digests.init(),
    deadLetters.init(),
    reminderSchedule.init(),
    processedEvents.init(),
    workspaces.init(),
    agentRuns.init(),
  ]);
  return {
    logger,
    tasks,
    profiles,
    parser,
    reminders,
    reminderSchedule,
    dispatcher,
    digests,
    deadLetters,
    home,
    forms: new TaskForms({ tasks, now }),
    messages: new MessageRequests({ tasks, parser, digests, agentRuns, agentPolicy, profiles, logger, now }),
    processedEvents,
    workspaces,
    agentRuns,
    agentPolicy,
    background,
    admission,
    installations,
    now,
  };
}
