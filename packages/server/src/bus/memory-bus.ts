/**
 * The single-node Bus: synchronous fan-out to local subscribers. A subscriber that throws is logged and never
 * stops the others or the publisher.
 */
import type { Bus, BusHandler, BusTopics } from './bus.js';

export function createMemoryBus(onError: (topic: string, error: unknown) => void = () => undefined): Bus {
  const handlers = new Map<string, Set<BusHandler<never>>>();
  return {
    publish(topic, message) {
      for (const handler of handlers.get(topic) ?? []) {
        try {
          (handler as BusHandler<typeof message>)(message);
        } catch (error) {
          onError(topic, error);
        }
      }
    },
    subscribe<K extends keyof BusTopics>(topic: K, handler: BusHandler<BusTopics[K]>) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler as BusHandler<never>);
      return () => set.delete(handler as BusHandler<never>);
    },
  };
}
