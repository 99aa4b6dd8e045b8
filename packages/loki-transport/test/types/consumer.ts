// Compiled by typescript.test.ts as a consumer project would, under several module settings.
import { createLokiClient, type LokiClient } from '@pactown/loki-transport';
import { lokiHandler } from '@pactown/loki-transport/log-core';
import { LokiTransport } from '@pactown/loki-transport/winston';

const loki: LokiClient = createLokiClient({ url: 'http://127.0.0.1:3100' });
loki.hold(true);
loki.hold(false);
loki.flushSync();
const transport: LokiTransport = new LokiTransport({ url: 'http://127.0.0.1:3100', lineFormat: 'json' });
const handler = lokiHandler({ url: 'http://127.0.0.1:3100', level: 'INFO' });
const count: number = handler.client.metrics().spoolErrors + transport.client.metrics().sentLines;
export { count };
