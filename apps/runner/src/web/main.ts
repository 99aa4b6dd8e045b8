import { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from '../demo/samples.js';
import { type LogLine, type RunResult, type ServiceInfo, getJson, postJson, readEvents, runStream } from './api.js';
import { LogView } from './log-view.js';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

const tokenInput = $<HTMLInputElement>('token');
const form = $<HTMLFormElement>('run-form');
const content = $<HTMLTextAreaElement>('content');
const serviceIdInput = $<HTMLInputElement>('service-id');
const runStatus = $('run-status');
const servicesBody = $('services-body');
const stopButton = $<HTMLButtonElement>('stop-button');
const logService = $('log-service');
const view = new LogView($('log'), $('follow-state'));

let selected: string | null = null;
let stream: AbortController | null = null;
const token = () => tokenInput.value.trim();

tokenInput.value = localStorage.getItem('pactown.token') ?? '';
tokenInput.addEventListener('change', () => {
  localStorage.setItem('pactown.token', token());
  void refreshServices();
});
content.value = HEALTHY_SAMPLE;
$('sample-healthy').addEventListener('click', () => {
  content.value = HEALTHY_SAMPLE;
  serviceIdInput.value = 'hello';
});
$('sample-failing').addEventListener('click', () => {
  content.value = MISSING_MODULE_SAMPLE;
  serviceIdInput.value = 'broken';
});

function setStatus(text: string, isError = false): void {
  runStatus.textContent = text;
  runStatus.classList.toggle('error', isError);
}

function showFailure(result: RunResult | null, errorFile: string | null): void {
  const box = $('failure');
  if (!result || result.success) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $('failure-category').textContent = String(result.error_category ?? 'unknown');
  const list = $('failure-suggestions');
  list.replaceChildren();
  for (const s of result.suggestions ?? []) {
    const li = document.createElement('li');
    li.className = 'suggestion';
    li.append(document.createTextNode(s.description));
    if (s.command) {
      const code = document.createElement('code');
      code.textContent = s.command;
      li.append(' ', code);
    }
    list.append(li);
  }
  $('failure-path').textContent = result.error_log ?? '';
  $('failure-file').textContent = errorFile ?? '(no error file)';
}

async function loadErrorFile(id: string): Promise<string | null> {
  const res = await fetch(`/services/${encodeURIComponent(id)}/error-log`, {
    headers: token() ? { authorization: `Bearer ${token()}` } : {},
  });
  return res.ok ? res.text() : null;
}

async function showServiceState(id: string): Promise<void> {
  try {
    const info = await getJson<ServiceInfo>(`/services/${encodeURIComponent(id)}`, token());
    stopButton.disabled = info.status !== 'running' && info.status !== 'starting' && info.status !== 'restarting';
    if (info.status !== 'failed' && info.status !== 'exited') return showFailure(null, null);
    const result: RunResult = {
      success: false,
      error_category: info.error_category ?? 'unknown',
      suggestions: info.suggestions ?? [],
      error_log: info.error_log ?? null,
      message: info.message ?? '',
    };
    showFailure(result, info.error_log ? await loadErrorFile(id) : null);
  } catch {
    // The list refresh reports connection problems.
  }
}

function follow(id: string): void {
  stream?.abort();
  stream = new AbortController();
  selected = id;
  logService.textContent = id;
  stopButton.disabled = false;
  view.clear();
  void showServiceState(id);
  const signal = stream.signal;
  readEvents(`/services/${encodeURIComponent(id)}/logs`, token(), signal, (event) => {
    if (event.event === 'log') view.append(JSON.parse(event.data) as LogLine);
    else if (event.event === 'status') {
      void refreshServices();
      void showServiceState(id);
    }
  }).catch((error: unknown) => {
    if (!signal.aborted) setStatus(`Log stream ended: ${String(error)}`, true);
  });
  for (const row of servicesBody.querySelectorAll('tr')) row.classList.toggle('selected', row.dataset.id === id);
}

async function refreshServices(): Promise<void> {
  let services: ServiceInfo[];
  try {
    services = (await getJson<{ services: ServiceInfo[] }>('/services', token())).services;
  } catch (error) {
    setStatus(`Could not list services: ${String(error)}`, true);
    return;
  }
  servicesBody.replaceChildren();
  if (services.length === 0) {
    const row = document.createElement('tr');
    row.className = 'empty';
    const cell = document.createElement('td');
    cell.colSpan = 6;
    cell.textContent = 'No services yet.';
    row.append(cell);
    servicesBody.append(row);
  }
  for (const s of services) {
    const row = document.createElement('tr');
    row.dataset.id = s.service_id;
    row.classList.toggle('selected', s.service_id === selected);
    // "2 (on-failure)": restarts so far and the policy; "–" for a run that is never restarted.
    const restarts = s.restart && s.restart !== 'no' ? `${s.restarts ?? 0} (${s.restart})` : '–';
    const values = [s.service_id, s.status, s.port === null ? '' : String(s.port), s.user_id, restarts];
    values.forEach((text, i) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (i === 1) cell.className = `state state-${s.status}`;
      if (i === 4) cell.className = 'restarts';
      row.append(cell);
    });
    const action = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = 'Logs';
    action.append(button);
    row.append(action);
    row.addEventListener('click', () => follow(s.service_id));
    servicesBody.append(row);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const body: Record<string, unknown> = { service_id: data.get('service_id'), content: data.get('content') };
  if (data.get('user_id')) body.user_id = data.get('user_id');
  if (data.get('port')) body.port = Number(data.get('port'));
  if (data.get('restart')) body.restart = data.get('restart');
  const id = String(body.service_id);
  stream?.abort();
  selected = id;
  logService.textContent = id;
  view.clear();
  showFailure(null, null);
  setStatus(`Running ${id}…`);
  $<HTMLButtonElement>('run-button').disabled = true;
  try {
    const { status, result } = await runStream(body, token(), (line) => view.append(line));
    if (result.success) {
      setStatus(`✓ ${id} running on port ${String(result.port)}`);
      follow(id);
    } else {
      setStatus(`✗ ${id} failed (${status}): ${String(result.message ?? result.error_category ?? '')}`, true);
      showFailure(result, result.error_log ? await loadErrorFile(id) : null);
      stopButton.disabled = true;
    }
  } catch (error) {
    setStatus(`Run failed: ${String(error)}`, true);
  } finally {
    $<HTMLButtonElement>('run-button').disabled = false;
    await refreshServices();
  }
});

stopButton.addEventListener('click', async () => {
  if (!selected) return;
  const { body } = await postJson<{ message?: string }>('/stop', { service_id: selected }, token());
  setStatus(String(body.message ?? `Stopped ${selected}`));
  await refreshServices();
});

void refreshServices();
setInterval(() => void refreshServices(), 5000);
