import { describe, expect, it } from 'vitest';
import { channelMatches, dispatch } from './subscriptions.js';

describe('subscribe dispatch', () => {
  it('matches exact names and trailing-* prefixes only', () => {
    expect(channelMatches('gpe.custom.offer', 'gpe.custom.offer')).toBe(true);
    expect(channelMatches('gpe.custom.*', 'gpe.custom.offer')).toBe(true);
    expect(channelMatches('gpe.custom.*', 'gpe.custom.')).toBe(true);
    expect(channelMatches('*', 'gpe.invite')).toBe(true);
    expect(channelMatches('gpe.custom.*', 'gpe.customer')).toBe(false);
    expect(channelMatches('gpe.custom', 'gpe.custom.offer')).toBe(false);
    expect(channelMatches('gpe.*.offer', 'gpe.x.offer')).toBe(false);
  });

  it('calls each matching callback with (data, message) and survives a throwing one', () => {
    const calls: unknown[] = [];
    const logged: unknown[] = [];
    const message = { channel: 'gpe.custom.a', data: { n: 1 }, seq: 3 };
    dispatch(
      [
        {
          channel: 'gpe.custom.*',
          fn: () => {
            throw new Error('page bug');
          },
        },
        { channel: 'gpe.custom.a', fn: (d, m) => calls.push([d, m]) },
        { channel: 'gpe.other', fn: () => calls.push('wrong') },
      ],
      message,
      (...a) => logged.push(a),
    );
    expect(calls).toEqual([[{ n: 1 }, message]]);
    expect(logged).toHaveLength(1);
  });
});
