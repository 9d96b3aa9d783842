/**
 * The in-process publish/subscribe port that connects services without importing each other: ingest publishes
 * stored events, the rules host publishes actionable events, the contact center publishes visit activity. The
 * memory adapter serves one node; a Redis adapter carries the same topics across nodes (DESIGN.md D4).
 */
import type { StoredEvent } from '@beckon/protocol';

/** Topics and their messages. Add a topic here before publishing it. */
export interface BusTopics {
  /** Events durably stored by ingest, in arrival order (one message per request). */
  'events.stored': readonly StoredEvent[];
  /** An actionable event produced by the rules engine (shape: `ActionableEvent` of @beckon/core/rules). */
  actionable: { visitId: string; actionable: unknown };
  /** Any change of agent availability (state, capacity, login/logout), for pacing and strategies. */
  'agents.changed': { at: number };
}

export type BusHandler<T> = (message: T) => void;

export interface Bus {
  publish<K extends keyof BusTopics>(topic: K, message: BusTopics[K]): void;
  /** Returns the function that unsubscribes. */
  subscribe<K extends keyof BusTopics>(topic: K, handler: BusHandler<BusTopics[K]>): () => void;
}
