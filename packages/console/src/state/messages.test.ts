// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChatMessage } from '@beckon/client';
import { addPending, contiguousSeq, emptyChatLog, failPending, hasGap, mergeMessages } from './messages.js';

const msg = (seq: number, clientMessageId: string | null = null): ChatMessage => ({
  id: `m${seq}`,
  seq,
  interactionId: 'I',
  from: { type: 'visitor', id: null, name: 'Visitor' },
  text: `t${seq}`,
  timestamp: seq,
  clientMessageId,
});

describe('chat messages', () => {
  it('merges any batches into one ordered list without duplicates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 8 }), { maxLength: 6 }),
        (batches) => {
          const log = batches.reduce(
            (l, b) =>
              mergeMessages(
                l,
                b.map((s) => msg(s)),
              ),
            emptyChatLog,
          );
          const expected = [...new Set(batches.flat())].sort((a, b) => a - b);
          expect(log.messages.map((m) => m.seq)).toEqual(expected);
        },
      ),
    );
  });

  it('replaces a pending message by the stored one with the same clientMessageId', () => {
    let log = addPending(emptyChatLog, 'c1', 'hello');
    log = addPending(log, 'c1', 'hello');
    log = addPending(log, 'c2', 'again');
    log = failPending(log, 'c2');
    expect(log.pending.map((p) => [p.clientMessageId, p.status])).toEqual([
      ['c1', 'sending'],
      ['c2', 'failed'],
    ]);
    log = mergeMessages(log, [msg(1, 'c1')]);
    expect(log.pending.map((p) => p.clientMessageId)).toEqual(['c2']);
    expect(addPending(log, 'c1', 'hello')).toBe(log);
  });

  it('finds the seq to catch up from and detects gaps', () => {
    const log = mergeMessages(emptyChatLog, [msg(1), msg(2), msg(4)]);
    expect(contiguousSeq(log)).toBe(2);
    expect(hasGap(log)).toBe(true);
    expect(hasGap(mergeMessages(log, [msg(3)]))).toBe(false);
    expect(contiguousSeq(emptyChatLog)).toBe(0);
  });
});
