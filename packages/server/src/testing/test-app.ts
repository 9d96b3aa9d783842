/**
 * Shared helpers for the server's behaviour tests: a real app over a fresh SQLite store in a temp directory,
 * a fake clock the test advances by hand (so visit expiry and `age` filters are deterministic), API keys of
 * both roles, and valid tracker events. Tests call the app in-process with `inject()`; nothing listens.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { StoredEvent, WireEvent } from '@beckon/protocol';
import { buildApp } from '../app.js';
import type { BeckonApp } from '../app.js';
import { buildConfig } from '../config.js';
import type { Config } from '../config.js';
import { createMetrics } from '../metrics.js';
import { openStore } from '../store/open-store.js';
import type { SqlStore } from '../store/sql-store.js';

/** Start of every fake clock: 2023-11-14T22:13:20Z. */
export const T0 = 1_700_000_000_000;

/** A clock that only moves when told to. */
export interface FakeClock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function fakeClock(start = T0): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

/** A fresh 32-char uppercase hex ID, as Beckon generates them (spec/compat.md §0). */
export const newId = (): string => randomBytes(16).toString('hex').toUpperCase();

/** One browser visit's identifiers; `event()` makes valid events of it. */
export interface TestVisit {
  visitID: string;
  globalVisitID: string;
  pageID: string;
  /** A valid event of this visit (new eventID each call); `overrides` win, `undefined` removes a field. */
  event: (overrides?: Record<string, unknown>) => Record<string, unknown>;
  /** Starts a new page of the visit: a fresh pageID for later `event()` calls. Returns it. */
  newPage: () => string;
}

export function testVisit(
  ids: Partial<Pick<TestVisit, 'visitID' | 'globalVisitID' | 'pageID'>> = {},
): TestVisit {
  const visit: TestVisit = {
    visitID: ids.visitID ?? newId(),
    globalVisitID: ids.globalVisitID ?? newId(),
    pageID: ids.pageID ?? newId(),
    event: (overrides = {}) => {
      const base: WireEvent & Record<string, unknown> = {
        eventType: 'BUSINESS',
        eventName: 'AddToCart',
        eventID: newId(),
        pageID: visit.pageID,
        visitID: visit.visitID,
        globalVisitID: visit.globalVisitID,
        timestamp: T0,
        url: 'https://shop.example.com/tv/jvb72',
        languageCode: 'en-US',
        data: {},
      };
      const out: Record<string, unknown> = { ...base, ...overrides };
      for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
      return out;
    },
    newPage: () => {
      visit.pageID = newId();
      return visit.pageID;
    },
  };
  return visit;
}

export interface TestApp extends BeckonApp {
  store: SqlStore;
  config: Readonly<Config>;
  clock: FakeClock;
  /** Bearer keys of role `full` and `read`. */
  fullKey: string;
  readKey: string;
  /** `inject()` with the full key (unless `headers.authorization` is given). */
  api: (options: InjectOptions) => Promise<LightMyRequestResponse>;
  /** GET under `/server/data` with the full key; `path` starts after `/server/data`. */
  get: (path: string) => Promise<LightMyRequestResponse>;
  /** POST a batch to `/server/events`, as the tracker does. */
  send: (batch: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
}

/**
 * Builds an app over a fresh SQLite store. `config` is a partial config (validated like a config file);
 * defaults are the spec's, with logging off.
 */
export async function createTestApp(
  options: {
    config?: Record<string, unknown>;
    start?: number;
    /** Wraps the store the app uses (see store-doubles.ts); `TestApp.store` stays the real one. */
    wrapStore?: (store: SqlStore) => SqlStore;
    onStored?: (events: StoredEvent[]) => void;
    /** Directory of a built tracker to serve (default packages/tracker/dist). */
    trackerDir?: string;
    /**
     * Register the contact center as the real app does (default false: its own tests register it with a fake hub
     * and a manual scheduler, and widget tests serve fakes of its browser endpoints).
     */
    contactCenter?: boolean;
  } = {},
): Promise<TestApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'beckon-test-'));
  const config = buildConfig({ dataDir: dir, ...options.config });
  const store = await openStore({ dataDir: dir, databaseUrl: '' });
  const clock = fakeClock(options.start ?? T0);
  const beckon = await buildApp({
    config,
    store: options.wrapStore ? options.wrapStore(store) : store,
    now: clock.now,
    logger: false,
    metrics: createMetrics({ defaultMetrics: false }),
    ...(options.onStored ? { onStored: options.onStored } : {}),
    ...(options.trackerDir ? { trackerDir: options.trackerDir } : {}),
    contactCenter: options.contactCenter ?? false,
  });
  const fullKey = (await store.createApiKey('test-full', 'full', clock.now())).key;
  const readKey = (await store.createApiKey('test-read', 'read', clock.now())).key;
  const api = (o: InjectOptions) =>
    beckon.app.inject({ ...o, headers: { authorization: `Bearer ${fullKey}`, ...o.headers } });
  return {
    ...beckon,
    store,
    config,
    clock,
    fullKey,
    readKey,
    api,
    get: (p) => api({ method: 'GET', url: `/server/data${p}` }),
    send: (batch, headers = {}) =>
      beckon.app.inject({
        method: 'POST',
        url: '/server/events',
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof batch === 'string' ? batch : JSON.stringify(batch),
      }),
    close: async () => {
      await beckon.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
