import { describe, expect, it } from 'vitest';
import { LiveHub } from '../src/services/live-hub.js';

const line = (message: string) => ({ message, level: 30, levelName: 'INFO', stream: 'stdout' as const, time: 0 });

describe('LiveHub', () => {
  it('keeps a bounded, numbered tail per service and resumes after a sequence number', () => {
    const hub = new LiveHub(3);
    for (let i = 0; i < 5; i++) hub.publish('a', line(`l${i}`));
    const { history, unsubscribe } = hub.subscribe('a', () => undefined);
    expect(history.map((l) => [l.seq, l.message])).toEqual([
      [3, 'l2'],
      [4, 'l3'],
      [5, 'l4'],
    ]);
    expect(hub.subscribe('a', () => undefined, 4).history.map((l) => l.seq)).toEqual([5]);
    unsubscribe();
  });

  it('forgets the oldest idle services past maxChannels, never a watched one', () => {
    const hub = new LiveHub(10, 2);
    hub.publish('watched', line('x'));
    const sub = hub.subscribe('watched', () => undefined);
    hub.publish('b', line('x'));
    hub.publish('c', line('x'));
    expect(hub.subscribe('watched', () => undefined).history).toHaveLength(1);
    expect(hub.subscribe('b', () => undefined).history).toHaveLength(0);
    sub.unsubscribe();
  });
});
