/** @beckon/server: the Beckon server process, as a library for the CLI and tests. */
export { loadConfig, buildConfig, ConfigError } from './config.js';
export type { Config } from './config.js';
export { buildApp } from './app.js';
export type { BeckonApp, BuildAppOptions } from './app.js';
export { startServer } from './main.js';
export type { RunningServer, StartOptions } from './main.js';
export { openStore } from './store/open-store.js';
export { SqlStore } from './store/sql-store.js';
export type { ApiKeyRole, ApiKeyRecord } from './store/records.js';
export { resourceRoutes } from './resources/resource-routes.js';
export type { ResourceRoutesOptions } from './resources/resource-routes.js';
export { createMemoryApplicationStore } from './resources/application-store.js';
export type { ApplicationStore } from './resources/application-store.js';
export { createMemoryBus } from './bus/memory-bus.js';
export type { Bus, BusTopics } from './bus/bus.js';
