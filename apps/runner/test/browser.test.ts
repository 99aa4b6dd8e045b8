import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts');
const available = fs.existsSync(CHROMIUM);
if (!available && !process.env.CI) {
  console.warn(
    `[browser test] skipped: ${CHROMIUM} is missing (apt-get install -y chromium); it runs whenever Chromium is installed and always in CI`,
  );
}

const FENCE = '```';
const HOSTILE = `# Hostile output

${FENCE}javascript markpact:file path=server.mjs
import http from 'node:http';
console.log('<img src=x onerror="window.__xss = 1"> \\u001b[1;31mbold red\\u001b[0m plain');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.MARKPACT_PORT));
${FENCE}

${FENCE}bash markpact:run
node server.mjs
${FENCE}
`;

let h: Harness;
let browser: Browser;
let page: Page;

describe.skipIf(!available && !process.env.CI)('the live log page in headless Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness({ loki: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(`${h.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('runs a service from the form and shows its lines live, marked and coloured', async () => {
    await page.fill('#service-id', 'page-hello');
    await page.click('#run-button');
    await page.locator('#run-status', { hasText: '✓ page-hello running on port' }).waitFor();
    const port = Number(/port (\d+)/.exec((await page.textContent('#run-status'))!)![1]);
    await page.locator('#log .line', { hasText: '✓ Project running' }).first().waitFor();

    // A request made now must arrive through the SSE stream.
    await fetch(`http://127.0.0.1:${port}/from-the-browser-test`);
    const live = page.locator('#log .line', { hasText: '/from-the-browser-test' });
    await live.waitFor();
    expect(await live.getAttribute('data-stream')).toBe('stdout');
    expect(await live.locator('.msg .ansi-fg-2').textContent()).toBe('GET');
    expect(await live.textContent()).not.toContain('\u001b');
    const stderr = page.locator('#log .line.stream-stderr', { hasText: 'stderr works too' }).first();
    expect(await stderr.locator('.stream').textContent()).toBe('err');
    expect(await page.locator('#services-body tr[data-id="page-hello"] .state').textContent()).toBe('running');
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-running.png'), fullPage: true });
  });

  it('follows new lines at the bottom, pauses when scrolled up, resumes on demand', async () => {
    const port = Number(/port (\d+)/.exec((await page.textContent('#run-status'))!)![1]);
    const burst = async (tag: string, n: number) => {
      for (let i = 0; i < n; i++) await fetch(`http://127.0.0.1:${port}/${tag}-${i}`);
      await page.locator('#log .line', { hasText: `/${tag}-${n - 1}` }).waitFor();
    };
    const distanceFromBottom = () => page.$eval('#log', (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await burst('fill', 80);
    expect(await distanceFromBottom()).toBeLessThanOrEqual(2);

    await page.$eval('#log', (el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await burst('while-paused', 10);
    expect(await page.$eval('#log', (el) => el.scrollTop)).toBe(0);
    const badge = page.locator('#follow-state');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.textContent()).toMatch(/^Paused: \d+ new lines/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-paused.png'), fullPage: true });

    await badge.click();
    expect(await distanceFromBottom()).toBeLessThanOrEqual(2);
    await burst('resumed', 5);
    expect(await distanceFromBottom()).toBeLessThanOrEqual(2);
  });

  it('renders hostile output as text, never as markup', async () => {
    await page.fill('#service-id', 'hostile');
    await page.fill('#content', HOSTILE);
    await page.click('#run-button');
    const line = page.locator('#log .line', { hasText: 'onerror' }).first();
    await line.waitFor();
    expect(await page.locator('#log img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await line.locator('.msg').textContent()).toBe('<img src=x onerror="window.__xss = 1"> bold red plain');
    expect(await line.locator('.ansi-bold.ansi-fg-1').textContent()).toBe('bold red');
  });

  it('shows a failing service with its category, suggestions and error file', async () => {
    await page.click('#sample-failing');
    expect(await page.inputValue('#service-id')).toBe('broken');
    await page.click('#run-button');
    await page.locator('#failure').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.textContent('#failure-category')).toBe('dependency');
    expect(await page.textContent('#failure-suggestions')).toContain("Add 'missing_module' to the dependencies");
    expect(await page.textContent('#failure-file')).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(await page.textContent('#failure-path')).toMatch(/service_broken_error\.log$/);
    await page.locator('#log .line.stream-stderr', { hasText: 'ModuleNotFoundError' }).first().waitFor();
    await page.locator('#services-body tr[data-id="broken"] .state', { hasText: 'failed' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-failure.png'), fullPage: true });
  });

  it('runs a service with a restart policy and shows its restarts as they happen', async () => {
    // The default policy shows no count.
    expect(await page.textContent('#services-body tr[data-id="page-hello"] .restarts')).toBe('–');
    await page.fill('#service-id', 'page-phoenix');
    await page.fill('#content', nodeService({ exitAfterMs: 300 }));
    await page.selectOption('#restart', 'on-failure');
    await page.click('#run-button');
    await page.locator('#run-status', { hasText: '✓ page-phoenix running on port' }).waitFor();
    const cell = page.locator('#services-body tr[data-id="page-phoenix"] .restarts');
    await cell.filter({ hasText: /^[1-9]\d* \(on-failure\)$/ }).waitFor({ timeout: 30_000 });
    // The restart is on the page as it happens: the status event makes it refresh the list.
    await page
      .locator('#services-body tr[data-id="page-phoenix"] .state', { hasText: /^(restarting|running)$/ })
      .waitFor();
    await page.locator('#log .line', { hasText: 'Restarting service_page-phoenix in' }).first().waitFor();
    const api = await h.request('GET', '/services/page-phoenix');
    expect(api.body.restart).toBe('on-failure');
    expect(api.body.restarts).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-restarts.png'), fullPage: true });
    await h.request('POST', '/stop', { service_id: 'page-phoenix' });
    await page.selectOption('#restart', '');
  });

  it('stops a service with the stop button', async () => {
    await page.click('#services-body tr[data-id="page-hello"]');
    await page.locator('#log-service', { hasText: 'page-hello' }).waitFor();
    await page.click('#stop-button');
    await page.locator('#services-body tr[data-id="page-hello"] .state', { hasText: 'stopped' }).waitFor();
    await page.locator('#log .line', { hasText: 'Process terminated' }).waitFor();
    expect((await h.request('GET', '/services/page-hello')).body.status).toBe('stopped');
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-stopped.png'), fullPage: true });
  });
});
