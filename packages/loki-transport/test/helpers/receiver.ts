import { type LokiReceiver, startLokiReceiver as start } from '@pactown/loki-receiver';

type ReceiverOptions = NonNullable<Parameters<typeof start>[0]>;

/**
 * The receiver as Loki 3 answers, without what Loki adds on its own side
 * (`service_name`, `detected_level`): these tests check what the transport
 * sent. Loki's default rate limits stay on unless a test lifts them.
 */
export function startLokiReceiver(options: ReceiverOptions = {}): Promise<LokiReceiver> {
  return start({ discoverServiceName: false, discoverLogLevels: false, ...options });
}
