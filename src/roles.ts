/** What a process does: serve Slack (web), run jobs (worker), or both (all, the default). */
export type Role = 'web' | 'worker' | 'all';
export const ROLES: readonly Role[] = ['web', 'worker', 'all'];

export const servesSlack = (role: Role): boolean => role !== 'worker';
export const runsJobs = (role: Role): boolean => role !== 'web';
