import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lokiConfigToReceiverOptions } from '@pactown/loki-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dashboardQueries, substituteVariables } from '../src/demo/queries.js';
import { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from '../src/demo/samples.js';
import { type Harness, startHarness } from './helpers/harness.js';

// The deploy, proved: the receiver is started with the compose Loki's own
// settings (deploy/loki-config.yaml, through lokiConfigToReceiverOptions),
// the app ships its lines to it as it does to Loki, the runner's log folder is
// collected as deploy/alloy/config.alloy says (its targets, labels, multiline
// and regex stages, read from the file), the dashboard's scripted run is
// replayed, and every panel's query is sent as Grafana sends it (query_range,
// backward, 1000 lines, the last hour) for each value of its $source variable.

const deploy = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy');
const lokiConfig = parseYaml(await fs.readFile(path.join(deploy, 'loki-config.yaml'), 'utf8'));
const alloyConfig = await fs.readFile(path.join(deploy, 'alloy', 'config.alloy'), 'utf8');

let h: Harness;
let queries: Map<string, string>;

// ---- Alloy, as config.alloy configures it --------------------------------

interface Target {
  glob: string;
  labels: Record<string, string>;
}

/** The path_targets of every local.file_match block. */
function alloyTargets(config: string): Target[] {
  return [...config.matchAll(/\{("__path__"[^}]*)\}/g)].map((m) => {
    const labels = Object.fromEntries([...m[1]!.matchAll(/"([^"]+)"\s*=\s*"([^"]*)"/g)].map((p) => [p[1]!, p[2]!]));
    const { __path__: glob, ...rest } = labels;
    return { glob: glob!, labels: rest };
  });
}

/** The multiline anchor of the error-file stage and the regex of the other files' stage (Go's (?P<name>) read as JS's (?<name>)). */
function alloyStages(config: string): { firstline: RegExp; regex: RegExp } {
  const firstline = /firstline\s*=\s*`([^`]*)`/.exec(config)?.[1];
  const regex = /stage\.regex\s*\{\s*expression\s*=\s*`([^`]*)`/.exec(config)?.[1];
  expect(firstline, 'config.alloy has a multiline stage').toBeDefined();
  expect(regex, 'config.alloy has a regex stage').toBeDefined();
  return { firstline: new RegExp(firstline!), regex: new RegExp(regex!.replaceAll('(?P<', '(?<')) };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`);
}

/** What Alloy's loki.source.file and loki.process would push for the files in `dir`, as one JSON push body. */
async function alloyPush(
  dir: string,
): Promise<{ streams: Array<{ stream: Record<string, string>; values: string[][] }> }> {
  const { firstline, regex } = alloyStages(alloyConfig);
  const files = await fs.readdir(dir);
  const streams = new Map<string, { stream: Record<string, string>; values: string[][] }>();
  let ns = BigInt(Date.now()) * 1_000_000n;
  for (const target of alloyTargets(alloyConfig)) {
    const match = globToRegExp(path.posix.basename(target.glob));
    for (const file of files.filter((f) => match.test(f)).sort()) {
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      let entries: string[];
      if (target.labels.kind === 'error_file') {
        // stage.multiline: a line matching firstline starts an entry, the others join it.
        entries = [];
        for (const line of lines) {
          if (firstline.test(line) || entries.length === 0) entries.push(line);
          else entries[entries.length - 1] += `\n${line}`;
        }
      } else entries = lines;
      for (const entry of entries) {
        const labels: Record<string, string> = { ...target.labels, filename: `/var/log/pactown/${file}` };
        // stage.regex + stage.labels { level = "" } for the job's other files.
        if (target.labels.kind !== 'error_file' && target.labels.kind !== 'anomaly') {
          const level = regex.exec(entry)?.groups?.level;
          if (level) labels.level = level;
        }
        const key = JSON.stringify(Object.entries(labels).sort());
        let stream = streams.get(key);
        if (!stream) streams.set(key, (stream = { stream: labels, values: [] }));
        ns += 1n;
        stream.values.push([String(ns), entry]);
      }
    }
  }
  return { streams: [...streams.values()] };
}

// ---- the scripted run ------------------------------------------------------

beforeAll(async () => {
  // A refill of one per minute: under load the runs take seconds, and a faster refill would hide the burst.
  h = await startHarness({
    env: { PACTOWN_RATE_BURST: '3', PACTOWN_RATE_LIMIT: '1' },
    loki: lokiConfigToReceiverOptions(lokiConfig),
  });
  queries = new Map((await dashboardQueries()).map((q) => [q.title, q.expr]));
  // The scripted run: two users, a healthy and a failing service, then a burst past the rate limit.
  expect(
    (await h.request('POST', '/run', { service_id: 'hello', content: HEALTHY_SAMPLE, user_id: 'user123' })).body
      .success,
  ).toBe(true);
  expect(
    (
      await h.request('POST', '/run', {
        service_id: 'missing_module',
        content: MISSING_MODULE_SAMPLE,
        user_id: 'user123',
      })
    ).body.success,
  ).toBe(false);
  expect(
    (await h.request('POST', '/run', { service_id: 'other', content: HEALTHY_SAMPLE, user_id: 'user456' })).body
      .success,
  ).toBe(true);
  let denied = 0;
  for (let i = 0; i < 3 && denied === 0; i++) {
    if (
      (await h.request('POST', '/run', { service_id: `b${i}`, content: '# none', user_id: 'user456' })).status === 429
    )
      denied++;
  }
  expect(denied).toBe(1);
  await h.app.logging.flush();
  // The anomaly log writes in the background; Alloy would read it once written.
  await h.app.context.anomalies.flush();
  // Every line the app pushed was accepted: the compose Loki refuses none (metadata included).
  const pushed = h.receiver!.stats();
  expect(pushed.rejectedLines).toBe(0);
  expect(Object.keys(pushed.pushStatus)).toEqual(['204']);
  // Alloy's share: the log folder, pushed as Alloy would push it.
  const res = await fetch(h.receiver!.pushUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(await alloyPush(h.config.logDir)),
  });
  expect(res.status, await res.clone().text()).toBe(204);
});
afterAll(async () => {
  await h?.close();
});

/** A panel's lines as Grafana asks for them: query_range, backward, 1000 lines, the last hour. */
async function panel(title: string, source = 'app', user = 'user123'): Promise<string[]> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const qs = new URLSearchParams({
    query: substituteVariables(queries.get(title)!, { source, user }),
    start: String(now - 3_600_000_000_000n),
    end: String(now + 1_000_000_000n),
    limit: '1000',
    direction: 'backward',
    step: '2s',
  });
  const res = await fetch(`${h.receiver!.url}/loki/api/v1/query_range?${qs}`);
  const text = await res.text();
  expect(res.status, `${title} (${source}): ${text}`).toBe(200);
  const data = JSON.parse(text).data as {
    resultType: string;
    result: Array<{ stream: Record<string, string>; values: string[][] }>;
  };
  expect(data.resultType).toBe('streams');
  for (const s of data.result) {
    expect(s.stream.service, title).toBe('api');
    expect(s.stream.service_name, 'Loki 3 adds service_name').toBe('api');
    if (source !== '.+') expect(s.stream.source).toBe(source);
  }
  return data.result.flatMap((s) => s.values.map((v) => v[1]!));
}

const ALL = '.+'; // the dashboard's allValue for $source

describe('dashboard panels, the receiver answering with the compose Loki settings', () => {
  it('the app source: All errors has the crash, its traceback and the failed run, nothing healthy', async () => {
    const lines = await panel('All errors');
    expect(lines.some((l) => l.includes("ModuleNotFoundError: No module named 'missing_module'"))).toBe(true);
    expect(lines.some((l) => l.includes('Run failed | user=user123 service=missing_module category=dependency'))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('✓ Project running'))).toBe(false);
  });

  it('the file source: All errors has the error file as one entry, seed line first, and sandbox.log’s error lines', async () => {
    const lines = await panel('All errors', 'file');
    const errorFile = lines.filter((l) => l.startsWith('Exit code: 1\n'));
    expect(errorFile).toHaveLength(1);
    expect(errorFile[0]).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(errorFile[0]).toContain('--- STDERR ---');
    expect(lines.some((l) => /^\S+ \S+ \[ERROR\] pactown: Run failed \| user=user123/.test(l))).toBe(true);
  });

  it('Sandbox start-up: sandbox creation, process start and the security check, from both sources', async () => {
    for (const source of ['app', 'file']) {
      const lines = await panel('Sandbox start-up', source);
      expect(lines.some((l) => l.includes('Creating sandbox for service_hello'))).toBe(true);
      expect(lines.some((l) => /Process started with PID: \d+/.test(l))).toBe(true);
      expect(lines.some((l) => l.includes('Security check for user123 starting service_hello'))).toBe(true);
    }
  });

  it('One user: everything about user123 and nothing about user456, from both sources', async () => {
    const lines = await panel('One user ($user)');
    expect(lines.some((l) => l.includes('Security check for user123 starting service_missing_module'))).toBe(true);
    expect(lines.some((l) => l.includes('Run succeeded | user=user123 service=hello'))).toBe(true);
    expect(lines.filter((l) => l.includes('user456'))).toEqual([]);
    const file = await panel('One user ($user)', 'file');
    expect(file.some((l) => l.includes('Run requested | user=user123 service=hello'))).toBe(true);
    expect(file.filter((l) => l.includes('user456'))).toEqual([]);
    expect((await panel('One user ($user)', 'app', 'user456')).length).toBeGreaterThan(0);
    // user12 is a prefix of user123: the panel's \b keeps it out.
    expect(await panel('One user ($user)', 'app', 'user12')).toEqual([]);
  });

  it('Rate limiting: exactly the denial from the app, and from each file that holds it', async () => {
    const lines = await panel('Rate limiting and concurrency denials');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('RATE_LIMIT_EXCEEDED | user=user456');
    expect(lines[0]).toMatch(/^level=warning logger=pactown\.security /);
    // sandbox.log and the user's own file both hold the line, and the anomaly log its JSON record;
    // Alloy ships each file.
    const file = await panel('Rate limiting and concurrency denials', 'file');
    expect(file).toHaveLength(3);
    const [anomaly, ...text] = [...file].sort((a, b) => (a.startsWith('{') ? -1 : b.startsWith('{') ? 1 : 0));
    expect(JSON.parse(anomaly!)).toMatchObject({ anomaly_type: 'RATE_LIMIT_EXCEEDED', user_id: 'user456' });
    for (const l of text) expect(l).toMatch(/\[WARNING\] pactown\.security: RATE_LIMIT_EXCEEDED \| user=user456/);
  });

  it('All ($source = .+) shows every copy of a line, and the two sources never mix otherwise', async () => {
    const both = await panel('Rate limiting and concurrency denials', ALL);
    expect(both).toHaveLength(4);
    const app = await panel('All errors', 'app');
    const file = await panel('All errors', 'file');
    expect((await panel('All errors', ALL)).length).toBe(app.length + file.length);
  });
});
