import { describe, expect, it } from 'vitest';
import { actionFailedEvent, BeckonOutbox, performAction, RecordingEngagementActions } from './beckon-io.js';
import { createFunctionEvaluator } from './function-evaluator.js';
import { createSession } from './create-session.js';
import { VirtualTimers } from './virtual-timers.js';

function run(sends: string) {
  const timers = new VirtualTimers();
  const outbox = new BeckonOutbox('E9');
  const s = createSession({
    document: `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
      <state id="a"><onentry>${sends}</onentry>
        <transition event="error.communication" target="failed"><assign location="why" expr="_event.data.reason"/></transition>
      </state><final id="failed"/>
      <datamodel><data id="why" expr="null"/></datamodel></scxml>`,
    evaluator: createFunctionEvaluator(),
    clock: timers,
    timers,
    sessionId: 'E9',
    ioProcessors: { beckon: outbox },
  });
  s.start();
  return { s, outbox, timers };
}

describe('beckon I/O processor', () => {
  it('turns params, namelist and JSON content into typed actions with idempotency keys', () => {
    const { outbox } = run(`
      <script>var code = 'x';</script>
      <send type="beckon" event="invite" target="invite"><param name="timeoutSec" expr="45"/><param name="message" expr="'Hi'"/></send>
      <send type="beckon" event="visitor.notify" target="visitor.notify"><content>{"channel":"gpe.custom","data":{"a":1}}</content></send>
      <send type="beckon" event="outcome" target="outcome" namelist="code"/>`);
    const actions = outbox.take();
    expect(actions.map((a) => [a.target, a.params, a.ctx.idempotencyKey])).toEqual([
      ['invite', { timeoutSec: 45, message: 'Hi' }, 'E9:1'],
      ['visitor.notify', { channel: 'gpe.custom', data: { a: 1 } }, 'E9:2'],
      ['outcome', { code: 'x' }, 'E9:3'],
    ]);
    expect(outbox.take()).toEqual([]);
  });

  it('raises error.communication for unknown targets, bad parameters and bad channels', () => {
    for (const [send, reason] of [
      ['<send type="beckon" event="x" target="dial"/>', 'unknownTarget'],
      [
        '<send type="beckon" event="invite" target="invite"><param name="timeoutSec" expr="1"/></send>',
        'badParams',
      ],
      ['<send type="beckon" event="outcome" target="outcome"/>', 'badParams'],
      [
        '<send type="beckon" event="n" target="visitor.notify"><param name="channel" expr="\'chat\'"/></send>',
        'badChannel',
      ],
    ] as const) {
      const { s, outbox } = run(send);
      expect(s.atomicIds()).toEqual(['failed']);
      expect(s.dm.scope['why']).toBe(reason);
      expect(outbox.take()).toEqual([]);
    }
  });

  it('delivers delayed beckon sends when they fall due', () => {
    const { outbox, timers } = run('<send type="beckon" event="invite" target="invite" delay="5s"/>');
    expect(outbox.take()).toEqual([]);
    timers.advance(5_000);
    expect(outbox.take().map((a) => a.target)).toEqual(['invite']);
  });

  it('performs actions through EngagementActions and reports failures as error.communication', async () => {
    const { outbox } = run(
      '<send type="beckon" event="chat.start" target="chat.start"><param name="queue" expr="\'sales\'"/></send>',
    );
    const fake = new RecordingEngagementActions();
    fake.failWith.startChat = 'unknownQueue';
    const [action] = outbox.take();
    const failure = await performAction(fake, action!);
    expect(fake.calls).toEqual([{ method: 'startChat', ctx: action!.ctx, params: { queue: 'sales' } }]);
    expect(failure).toBe('unknownQueue');
    expect(actionFailedEvent(action!, failure!).data).toEqual({
      sendid: action!.ctx.sendid,
      target: 'chat.start',
      reason: 'unknownQueue',
    });
  });

  it('resumes idempotency numbering from a persisted sequence', () => {
    const outbox = new BeckonOutbox('E9', 7);
    expect(
      outbox.deliver({
        sendid: 's',
        type: 'beckon',
        target: 'outcome',
        event: 'outcome',
        data: { code: 'c' },
        line: 1,
      }),
    ).toBeUndefined();
    expect(outbox.take()[0]!.ctx.idempotencyKey).toBe('E9:8');
    expect(outbox.sequence).toBe(8);
  });
});
