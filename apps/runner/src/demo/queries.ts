import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_ROOT } from '../app/paths.js';

/** The seed's four LogQL queries, verbatim. */
export const SEED_QUERIES = [
  { title: 'All errors', expr: '{service="api"} |~ "(?i)(error|exception|failed|stderr)"' },
  { title: 'Sandbox start-up', expr: '{service="api"} |~ "(sandbox|service_|PID|Starting|Process)"' },
  { title: 'One user', expr: '{service="api"} |~ "user=user123"' },
  { title: 'Rate limiting', expr: '{service="api"} |~ "RATE_LIMIT|CONCURRENT"' },
] as const;

export const DASHBOARD_FILE = path.join(APP_ROOT, 'deploy', 'grafana', 'dashboards', 'pactown-runner.json');

export interface DashboardQuery {
  title: string;
  /** As stored in the dashboard, with Grafana variables. */
  expr: string;
  datasourceUid: string;
}

/** The queries of the provisioned dashboard, panel by panel. */
export async function dashboardQueries(file = DASHBOARD_FILE): Promise<DashboardQuery[]> {
  const dashboard = JSON.parse(await fs.readFile(file, 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string; datasource: { uid: string } }> }>;
  };
  return dashboard.panels.flatMap((panel) =>
    panel.targets.map((t) => ({ title: panel.title, expr: t.expr, datasourceUid: t.datasource.uid })),
  );
}

/** Fills the dashboard's variables the way its defaults do (`source=app`, `user=user123`). */
export function substituteVariables(expr: string, values: { source?: string; user?: string } = {}): string {
  return expr.replaceAll('$source', values.source ?? 'app').replaceAll('$user', values.user ?? 'user123');
}
