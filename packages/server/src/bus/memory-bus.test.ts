import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory-bus.js';

describe('memory bus', () => {
  it('delivers to every subscriber, isolates a throwing one, and unsubscribes', () => {
    const errors: string[] = [];
    const bus = createMemoryBus((topic) => errors.push(topic));
    const seen: number[] = [];
    bus.subscribe('agents.changed', () => {
      throw new Error('boom');
    });
    const off = bus.subscribe('agents.changed', (m) => seen.push(m.at));
    bus.publish('agents.changed', { at: 1 });
    off();
    bus.publish('agents.changed', { at: 2 });
    expect(seen).toEqual([1]);
    expect(errors).toEqual(['agents.changed', 'agents.changed']);
  });
});
