export { SseClient, type SseMessage } from '@pactown/test-helpers';
