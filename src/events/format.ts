/** Renders audit events for `postern events [--json]`. */
import type { AuthEvent } from './auth-event.js';

/** The wire-ish shape of an event for scripts: snake_case, time as ISO 8601 with milliseconds. */
export function eventToJson(e: AuthEvent): Record<string, unknown> {
  return {
    id: e.id,
    created_at: new Date(e.createdAt).toISOString(),
    project_id: e.projectId,
    user_id: e.userId,
    route: e.route,
    outcome: e.outcome,
    client_address: e.clientAddress,
    request_id: e.requestId,
  };
}

/**
 * Events oldest first (the newest on the last line, as `tail` shows a log). `json`: one JSON
 * object per line; otherwise a table, with a project column only when several may appear.
 */
export function formatEvents(events: readonly AuthEvent[], opts: { json: boolean; showProject: boolean }): string {
  const ordered = [...events].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (opts.json) return ordered.map((e) => JSON.stringify(eventToJson(e)) + '\n').join('');
  if (ordered.length === 0) return 'No authentication events.\n';
  const header = ['time', ...(opts.showProject ? ['project'] : []), 'user', 'route', 'outcome', 'client', 'request_id'];
  const rows = ordered.map((e) => [
    new Date(e.createdAt).toISOString(),
    ...(opts.showProject ? [e.projectId] : []),
    e.userId ?? '-',
    e.route,
    e.outcome,
    e.clientAddress,
    e.requestId,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
  return line(header) + rows.map(line).join('');
}
