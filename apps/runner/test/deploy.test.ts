import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@grafana/lezer-logql';
import { lokiConfigToReceiverOptions, startLokiReceiver } from '@pactown/loki-receiver';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dashboardQueries, substituteVariables } from '../src/demo/queries.js';

const deploy = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy');
const readYaml = async (file: string) => parseYaml(await fs.readFile(path.join(deploy, file), 'utf8'));

/** Syntax errors of a LogQL expression according to Grafana's own grammar. */
function logqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`error at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

describe('deploy folder', () => {
  // The deploy files are the receiver owner's; its own deploy test checks Loki's and Alloy's configs.
  // Here: the parts the app's dashboard and log folder depend on.
  it('compose file runs Loki, Alloy and Grafana, Alloy reading the log folder and Grafana its provisioning', async () => {
    const compose = await readYaml('docker-compose.yml');
    expect(Object.keys(compose.services).sort()).toEqual(['alloy', 'grafana', 'loki']);
    expect(compose.services.loki.ports).toContain('3100:3100');
    expect(compose.services.grafana.ports).toContain('3001:3000');
    const alloyMounts: string[] = compose.services.alloy.volumes;
    expect(alloyMounts.some((v) => v.endsWith(':/var/log/pactown:ro'))).toBe(true);
    for (const mount of compose.services.grafana.volumes as string[]) {
      await fs.access(path.join(deploy, mount.split(':')[0]!));
    }
  });

  it('Grafana provisioning names a Loki data source and the dashboard folder', async () => {
    const datasources = await readYaml('grafana/provisioning/datasources/loki.yml');
    expect(datasources.datasources[0]).toMatchObject({ type: 'loki', url: 'http://loki:3100', uid: 'pactown-loki' });
    const providers = await readYaml('grafana/provisioning/dashboards/pactown.yml');
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('the dashboard has one panel per seed query, each valid LogQL against the provisioned data source', async () => {
    const queries = await dashboardQueries();
    expect(queries.map((q) => q.title)).toEqual([
      'All errors',
      'Sandbox start-up',
      'One user ($user)',
      'Rate limiting and concurrency denials',
    ]);
    for (const q of queries) {
      expect(q.datasourceUid).toBe('pactown-loki');
      expect(logqlErrors(q.expr), q.expr).toEqual([]);
      expect(logqlErrors(substituteVariables(q.expr)), q.expr).toEqual([]);
    }
  });

  it('the grammar check can fail: a broken query is reported', () => {
    expect(logqlErrors('{service="api" |~ "x"')).not.toEqual([]);
    expect(logqlErrors('{service="api"} |~ ')).not.toEqual([]);
  });

  it("each panel's query, at every value of its variables, is one Loki accepts (the receiver with the compose Loki settings)", async () => {
    const receiver = await startLokiReceiver(lokiConfigToReceiverOptions(await readYaml('loki-config.yaml')));
    const status = async (query: string) => {
      const res = await fetch(`${receiver.url}/loki/api/v1/query_range?${new URLSearchParams({ query })}`);
      return [res.status, (await res.text()).trim()];
    };
    try {
      for (const q of await dashboardQueries()) {
        for (const source of ['app', 'file', '.+']) {
          for (const user of ['user123', 'user456']) {
            const expr = substituteVariables(q.expr, { source, user });
            expect(await status(expr), expr).toEqual([200, expect.any(String)]);
          }
        }
      }
      // Grammar alone is not enough: Grafana's grammar reads these, Loki refuses them.
      for (const refused of [
        '{service=~".*"} |= "x"',
        '{service="api"} |~ "(?<!x)y"',
        '{service="api"} |~ "a{1001}"',
      ]) {
        expect(logqlErrors(refused), refused).toEqual([]);
        expect((await status(refused))[0], refused).toBe(400);
      }
    } finally {
      await receiver.close();
    }
  });

  it('the fixed queries match what the app writes, where the seed versions match nothing', async () => {
    const [errors, startup, user, rate] = (await dashboardQueries()).map((q) => q.expr);
    const regexOf = (expr: string) => {
      const m = /\|~ "((?:[^"\\]|\\.)*)"/.exec(substituteVariables(expr))!;
      const source = JSON.parse(`"${m[1]}"`) as string;
      return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'i') : new RegExp(source);
    };
    expect(regexOf(errors!).test('ModuleNotFoundError: No module named')).toBe(true);
    // The seed's start-up query is case-sensitive: "Creating Sandbox" or "starting" would slip by.
    expect(regexOf(startup!).test('[hello] Process started with PID: 4242')).toBe(true);
    expect(regexOf(startup!).test('Security check for user123 starting service_hello')).toBe(true);
    expect(regexOf(user!).test('RATE_LIMIT_EXCEEDED | user=user123 service=svc | x')).toBe(true);
    expect(regexOf(user!).test('RATE_LIMIT_EXCEEDED | user=user1234 service=svc | x')).toBe(false);
    expect(regexOf(rate!).test('CONCURRENT_LIMIT_EXCEEDED | user=u service=s | x')).toBe(true);
    expect(regexOf(rate!).test('rate_limit_exceeded')).toBe(false);
  });
});
