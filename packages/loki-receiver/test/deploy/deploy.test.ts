import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULTS, LOKI_VERSION, lokiConfigToReceiverOptions, startLokiReceiver } from '../../src/index.js';
import { nowNs, protobufBody, push } from '../helpers.js';

// The runner's deploy folder (apps/runner/deploy) runs the Loki release the
// receiver answers as, with Grafana Alloy as the collector. These cases check
// the files, then start the receiver with the compose Loki's own settings and
// run every dashboard panel's query against lines shaped as the app and Alloy
// send them.

const deploy = (file: string) => fileURLToPath(new URL(`../../../../apps/runner/deploy/${file}`, import.meta.url));
const read = (file: string) => readFileSync(deploy(file), 'utf8');
const compose = parseYaml(read('docker-compose.yml'));
const lokiConfig = parseYaml(read('loki-config.yaml'));
const alloy = read('alloy/config.alloy');

/** The error-file entry anchor posted by error-files (its ENTRY_FIRST_LINE). */
const ENTRY_FIRST_LINE = '^Exit code: (?:-?[0-9]+|none)$';

describe('compose file', () => {
  it("runs Loki at the receiver's version, Alloy and Grafana, every image pinned to a release", () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alloy', 'grafana', 'loki']);
    expect(compose.services.loki.image).toBe(`grafana/loki:${LOKI_VERSION}`);
    expect(compose.services.alloy.image).toBe('grafana/alloy:v1.18.1');
    expect(compose.services.grafana.image).toBe('grafana/grafana:12.4.1');
    for (const service of Object.values<any>(compose.services)) expect(service.image).toMatch(/:v?\d+\.\d+\.\d+$/);
    expect(compose.services.loki.volumes).toContain('./loki-config.yaml:/etc/loki/config.yaml:ro');
    expect(compose.services.loki.command).toBe('-config.file=/etc/loki/config.yaml');
    expect(compose.services.alloy.volumes.some((v: string) => v.endsWith(':/var/log/pactown:ro'))).toBe(true);
    expect(compose.services.alloy.command.at(-1)).toBe('/etc/alloy/config.alloy');
    expect(compose.services.loki.healthcheck.test).toEqual(['CMD', '/usr/bin/loki', '-health']);
  });

  it('uses the tsdb index with schema v13 and allows structured metadata', () => {
    const [schema] = lokiConfig.schema_config.configs;
    expect(schema).toMatchObject({ store: 'tsdb', schema: 'v13', object_store: 'filesystem' });
    expect(lokiConfig.limits_config.allow_structured_metadata).toBe(true);
  });

  it("writes Loki 3.7.6's default limits, so the receiver's defaults are the deploy's", () => {
    const options = lokiConfigToReceiverOptions(lokiConfig);
    for (const [name, value] of Object.entries(options))
      expect([name, value]).toEqual([name, (DEFAULTS as Record<string, unknown>)[name]]);
    expect(options).toMatchObject({
      maxLineSize: 262_144,
      maxStructuredMetadataSize: 65_536,
      ingestionRateBytes: 4_194_304,
      perStreamRateBytes: 3_145_728,
    });
  });

  it('refuses a Loki setting the receiver cannot follow', () => {
    expect(() => lokiConfigToReceiverOptions({ limits_config: { shard_streams: {} } })).toThrow(
      /limits_config.shard_streams has no receiver option/,
    );
    expect(() => lokiConfigToReceiverOptions({ limits_config: { max_line_size: 'big' } })).toThrow(/must be a size/);
  });
});

/** How Alloy's stage.multiline cuts a file into entries: a line matching firstline starts one. */
function multiline(text: string, firstline: RegExp): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    if (firstline.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

describe('Alloy config', () => {
  it("sends to the compose Loki and tails the log folder with the dashboard's labels", () => {
    expect(alloy).toContain('url = "http://loki:3100/loki/api/v1/push"');
    for (const path of ['sandbox.log', 'user_*.log', '*_error.log', 'anomalies.jsonl'])
      expect(alloy).toContain(`"/var/log/pactown/${path}"`);
    const targets = [...alloy.matchAll(/\{"__path__" = [^}]*\}/g)].map((m) => m[0]);
    expect(targets).toHaveLength(4);
    for (const target of targets) {
      expect(target).toContain('"service" = "api"');
      expect(target).toContain('"source" = "file"');
    }
  });

  it("anchors the error-file multiline rule on the seed's first line, the one line a service cannot write", () => {
    const firstline = /firstline\s*=\s*`([^`]*)`/.exec(alloy)?.[1];
    expect(firstline).toBe(ENTRY_FIRST_LINE);
  });

  it('does not start an entry at a service line that prints "Exit code:"', () => {
    const anchor = new RegExp(/firstline\s*=\s*`([^`]*)`/.exec(alloy)![1]!);
    // Two error-file entries; the service itself printed "Exit code: 0" and
    // "Exit code: none": error-files stores such a captured line with one more
    // backslash in front, and a line that only starts like the seed does not match.
    const file = [
      'Exit code: 1',
      'Service: api',
      '--- STDERR ---',
      '\\Exit code: 0',
      '\\Exit code: none',
      'Exit code: 1 (printed later in the line)',
      'Exit code:',
      'Exit code: 2',
      '--- STDERR ---',
      'boom',
    ].join('\n');
    const entries = multiline(file, anchor);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain('\\Exit code: 0');
    expect(entries[1]!.startsWith('Exit code: 2')).toBe(true);
    // The old rule, '^Exit code:', would have cut four entries out of it.
    expect(multiline(file, /^Exit code:/)).toHaveLength(4);
  });
});

describe("dashboard panels against the receiver started with the compose Loki's settings", () => {
  const dashboard = JSON.parse(read('grafana/dashboards/pactown-runner.json')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const panels = new Map(dashboard.panels.map((p) => [p.title, p.targets[0]!.expr]));
  const at = (expr: string) => expr.replaceAll('$source', 'app').replaceAll('$user', 'user123');

  it("returns each panel's lines and only those, over HTTP, with Loki 3's labels added", async () => {
    const receiver = await startLokiReceiver(lokiConfigToReceiverOptions(lokiConfig));
    try {
      const t = nowNs(-5000);
      const app = '{level="error", logger="pactown.sandbox", service="api", source="app"}';
      const info = '{level="info", logger="pactown.security", service="api", source="app"}';
      const file = '{job="pactown", kind="error_file", service="api", source="file"}';
      const body = protobufBody([
        {
          labels: app,
          entries: [
            {
              ts: t,
              line: 'level=error msg="ModuleNotFoundError: No module named \'missing_module\'" service=missing_module',
              meta: { user: 'user123' },
            },
          ],
        },
        {
          labels: info,
          entries: [
            { ts: t + 1n, line: 'level=info msg="Creating sandbox for service_hello" user=user123' },
            { ts: t + 2n, line: 'level=info msg="Process started with PID: 4242"' },
            { ts: t + 3n, line: 'level=warning msg="RATE_LIMIT_EXCEEDED | user=user456"' },
            { ts: t + 4n, line: 'level=info msg="Run succeeded | user=user1234 service=x"' },
          ],
        },
        {
          labels: file,
          entries: [{ ts: t + 5n, line: 'Exit code: 1\n--- STDERR ---\nTraceback (most recent call last):' }],
        },
      ]);
      expect((await push(receiver.url, body)).status).toBe(204);
      const panel = async (title: string): Promise<string[]> => {
        const qs = new URLSearchParams({ query: at(panels.get(title)!), start: String(t - 1n), limit: '1000' });
        const res = await fetch(`${receiver.url}/loki/api/v1/query_range?${qs}`);
        expect(res.status, title).toBe(200);
        const json = (await res.json()) as {
          data: { result: Array<{ stream: Record<string, string>; values: string[][] }> };
        };
        for (const s of json.data.result) expect(s.stream.service_name).toBe('api');
        return json.data.result.flatMap((s) => s.values.map((v) => v[1]!)).sort();
      };
      expect(await panel('All errors')).toEqual([expect.stringContaining('ModuleNotFoundError')]);
      expect(await panel('Sandbox start-up')).toEqual([
        expect.stringContaining('Creating sandbox'),
        expect.stringContaining('Process started'),
      ]);
      expect(await panel('One user ($user)')).toEqual([expect.stringContaining('Creating sandbox')]);
      expect(await panel('Rate limiting and concurrency denials')).toEqual([
        expect.stringContaining('RATE_LIMIT_EXCEEDED'),
      ]);
      const all = new URLSearchParams({
        query: panels.get('All errors')!.replaceAll('$source', '.+'),
        start: String(t - 1n),
      });
      const both = (await (await fetch(`${receiver.url}/loki/api/v1/query_range?${all}`)).json()) as {
        data: { result: unknown[] };
      };
      expect(both.data.result).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
