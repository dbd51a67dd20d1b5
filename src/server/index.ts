/** Public API of src/server. */
export { createApp, parseBody, type PinplaceApp } from './app.ts';
export { startServer, type StartOptions, type RunningServer } from './start-server.ts';
export { openApiDocument } from './openapi.ts';
export { TaskQueue, QueueFullError } from './task-queue.ts';
export { OutputStore } from './output-store.ts';
export { ensureViewerBundle } from './viewer-bundle.ts';
export { DEFAULT_LIMITS, DEFAULT_PORT, DEFAULT_HOST } from './constants.ts';
export type * from './types.ts';
