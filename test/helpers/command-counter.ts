// Counts the database commands an operation issues, through the MongoDB driver's command
// monitoring: the figure that carries over from FerretDB to MongoDB (a command's cost differs
// between servers, how many commands an operation needs does not). Shared by the command-count
// test and `npm run bench`, so it imports nothing from jest.
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';

/** A command as the app sent it: its name, collection, and the filters it carries. */
export interface RecordedCommand {
  name: string;
  collection: string | null;
  /** find / findAndModify / count / distinct filters, each update's and delete's `q`, an aggregate's first `$match`. */
  filters: Record<string, unknown>[];
  /** A find's sort (for the report; indexes are checked on the filter). */
  sort: Record<string, unknown> | null;
}

/** Commands the driver sends on its own account, not the app's: not counted. */
const HOUSEKEEPING = new Set(['hello', 'ismaster', 'isMaster', 'saslStart', 'saslContinue', 'endSessions', 'ping']);

const asDoc = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function filtersOf(name: string, command: Record<string, unknown>): Record<string, unknown>[] {
  switch (name) {
    case 'find':
    case 'count':
    case 'distinct': {
      const filter = asDoc(command.filter ?? command.query);
      return [filter ?? {}];
    }
    case 'findAndModify':
      return [asDoc(command.query) ?? {}];
    case 'update':
    case 'delete': {
      const list = (command[name === 'update' ? 'updates' : 'deletes'] as { q?: unknown }[] | undefined) ?? [];
      return list.map((statement) => asDoc(statement.q) ?? {});
    }
    case 'aggregate': {
      const first = asDoc((command.pipeline as unknown[] | undefined)?.[0]);
      const match = asDoc(first?.$match);
      return match ? [match] : [];
    }
    default:
      return [];
  }
}

/** Records every command the client starts; `take()` hands over what came since the last take. */
export class CommandCounter {
  private recorded: RecordedCommand[] = [];
  private readonly listener = (event: CommandStartedEvent) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const command = event.command as Record<string, unknown>;
    // A command names its collection as its own value; getMore's value is the cursor id.
    const target = event.commandName === 'getMore' ? command.collection : command[event.commandName];
    this.recorded.push({
      name: event.commandName,
      collection: typeof target === 'string' ? target : null,
      filters: filtersOf(event.commandName, command),
      sort: asDoc(command.sort),
    });
  };

  constructor(private readonly client: MongoClient) {
    if (!client.options.monitorCommands) {
      // Connections read the option when they open, so it must be on from the start.
      throw new Error('the client was opened without monitorCommands=true: add it to the connection string');
    }
    client.on('commandStarted', this.listener);
  }

  static forConnection(connection: Connection): CommandCounter {
    return new CommandCounter(connection.getClient() as unknown as MongoClient);
  }

  take(): RecordedCommand[] {
    const taken = this.recorded;
    this.recorded = [];
    return taken;
  }

  stop(): void {
    this.client.off('commandStarted', this.listener);
  }
}

/** `find tasks` → count, in a stable order: what a test compares and a report prints. */
export function countByCommand(commands: readonly RecordedCommand[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const command of commands) {
    const key = `${command.name} ${command.collection ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Adds `monitorCommands=true` to a connection string. */
export function withCommandMonitoring(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('monitorCommands', 'true');
  return url.toString();
}
