import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'deploy',
  'grafana',
  'dashboards',
  'pactown-runner.json',
);

export interface PanelQuery {
  title: string;
  expr: string;
  datasourceUid: string;
}

export async function dashboardQueries(): Promise<PanelQuery[]> {
  const dashboard = JSON.parse(await fs.readFile(DASHBOARD_FILE, 'utf8'));
  return dashboard.panels.flatMap((panel: any) =>
    panel.targets.map((t: any) => ({ title: panel.title, expr: t.expr, datasourceUid: t.datasource.uid })),
  );
}

/** Replaces Grafana variables the way the dashboard's defaults would. */
export function substituteVariables(expr: string, values: { source?: string; user?: string } = {}): string {
  return expr.replaceAll('$source', values.source ?? 'app').replaceAll('$user', values.user ?? 'user123');
}
