import { renderAnsi } from './ansi.js';
import type { LogLine } from './api.js';

const MAX_LINES = 5000;
const BOTTOM_SLACK_PX = 24;

function clock(time: string): string {
  const d = new Date(time);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const STREAM_TAG: Record<string, string> = { stdout: 'out', stderr: 'err', system: 'sys' };

/**
 * The live log view: one row per line with time, stream, level and the
 * message (ANSI colours rendered as spans, text as text). It follows new
 * lines until the reader scrolls up, and resumes when they scroll back down.
 */
export class LogView {
  #root: HTMLElement;
  #badge: HTMLElement;
  #follow = true;
  #unseen = 0;

  constructor(root: HTMLElement, badge: HTMLElement) {
    this.#root = root;
    this.#badge = badge;
    root.addEventListener('scroll', () => {
      const atBottom = root.scrollHeight - root.scrollTop - root.clientHeight <= BOTTOM_SLACK_PX;
      if (atBottom !== this.#follow) {
        this.#follow = atBottom;
        if (atBottom) this.#unseen = 0;
        this.#renderBadge();
      }
    });
    badge.addEventListener('click', () => this.scrollToEnd());
  }

  get following(): boolean {
    return this.#follow;
  }

  clear(): void {
    this.#root.replaceChildren();
    this.#unseen = 0;
    this.#follow = true;
    this.#renderBadge();
  }

  append(line: LogLine): void {
    const doc = this.#root.ownerDocument;
    const row = doc.createElement('div');
    const level = line.level === 'WARN' ? 'WARNING' : line.level;
    row.className = `line level-${level} stream-${line.stream}`;
    row.dataset.stream = line.stream;
    row.dataset.level = level;
    const cells: Array<[string, string]> = [
      ['time', clock(line.time)],
      ['stream', STREAM_TAG[line.stream] ?? line.stream],
      ['level', level],
    ];
    for (const [name, text] of cells) {
      const cell = doc.createElement('span');
      cell.className = name;
      cell.textContent = text;
      row.append(cell);
    }
    const msg = doc.createElement('span');
    msg.className = 'msg';
    msg.append(renderAnsi(doc, line.message));
    row.append(msg);
    this.#root.append(row);
    while (this.#root.childElementCount > MAX_LINES) this.#root.firstElementChild!.remove();
    if (this.#follow) this.#root.scrollTop = this.#root.scrollHeight;
    else {
      this.#unseen++;
      this.#renderBadge();
    }
  }

  scrollToEnd(): void {
    this.#follow = true;
    this.#unseen = 0;
    this.#root.scrollTop = this.#root.scrollHeight;
    this.#renderBadge();
  }

  #renderBadge(): void {
    this.#badge.hidden = this.#follow;
    this.#badge.textContent = `Paused: ${this.#unseen} new line${this.#unseen === 1 ? '' : 's'} · resume`;
  }
}
