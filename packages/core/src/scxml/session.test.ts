import { describe, expect, it } from 'vitest';
import { createFunctionEvaluator } from './function-evaluator.js';
import { createSession, type CreateSessionOptions } from './create-session.js';
import { VirtualTimers } from './virtual-timers.js';

const wrap = (body: string) =>
  `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">${body}</scxml>`;

function session(body: string, extra: Partial<CreateSessionOptions> = {}) {
  const timers = new VirtualTimers();
  const logs: unknown[] = [];
  const s = createSession({
    document: wrap(body),
    evaluator: createFunctionEvaluator(),
    clock: timers,
    timers,
    sessionId: 'S',
    log: (_label, value) => void logs.push(value),
    ...extra,
  });
  s.start();
  return { s, timers, logs };
}

describe('ScxmlSession', () => {
  it('reports the configuration in document order and finishes at a top-level final', () => {
    const { s } =
      session(`<parallel id="p"><state id="a"><transition event="go" target="done"/></state><state id="b"/></parallel>
      <final id="done"/>`);
    expect(s.configurationIds()).toEqual(['p', 'a', 'b']);
    expect(s.atomicIds()).toEqual(['a', 'b']);
    s.send('go');
    expect(s.status).toBe('done');
    expect(s.atomicIds()).toEqual(['done']);
  });

  it('runs a macrostep per external event and calls onMacrostep after each', () => {
    const steps: string[][] = [];
    const { s } = session(
      `<state id="a"><transition event="go" target="b"/></state><state id="b"><onentry><raise event="next"/></onentry>
        <transition event="next" target="c"/></state><state id="c"/>`,
      { onMacrostep: (x) => steps.push(x.atomicIds()) },
    );
    s.send('go');
    expect(steps).toEqual([['a'], ['c']]);
  });

  it('fires delayed sends on the injected timers and honours cancel', () => {
    const { s, timers } =
      session(`<state id="a"><onentry><send id="late" event="t1" delay="2s"/><send event="t2" delay="1s"/></onentry>
      <transition event="t2"><cancel sendid="late"/></transition><transition event="t1" target="wrong"/></state><final id="wrong"/>`);
    timers.advance(5_000);
    expect(s.atomicIds()).toEqual(['a']);
    expect(timers.size).toBe(0);
  });

  it('stops a runaway eventless loop at the microstep limit', () => {
    const faults: string[] = [];
    const { s } = session(
      `<datamodel><data id="n" expr="0"/></datamodel>
       <state id="a"><transition target="b"><assign location="n" expr="n + 1"/></transition></state>
       <state id="b"><transition target="a"/></state>`,
      { maxMicrosteps: 1000, onFault: (_s, m) => void faults.push(m) },
    );
    expect(s.status).toBe('stopped');
    expect(faults).toEqual(['more than 1000 microsteps in one macrostep']);
  });

  it('stops a session whose delayed sends exceed the limits', () => {
    const tooLong = session('<state id="a"><onentry><send event="x" delay="8d"/></onentry></state>', {
      maxDelayMs: 7 * 86_400_000,
    });
    expect(tooLong.s.status).toBe('stopped');
    const tooMany = session(
      '<state id="a"><onentry><send event="x" delay="1s"/><send event="y" delay="1s"/></onentry></state>',
      {
        maxPendingSends: 1,
      },
    );
    expect(tooMany.s.status).toBe('stopped');
    expect(tooMany.timers.size).toBe(0);
  });

  it('exposes platform values read-only as _x and logs through the sink', () => {
    const { s, logs } = session(
      `<state id="a"><onentry><log expr="_x.answer"/><assign location="_x" expr="1"/></onentry>
        <transition event="error.execution" target="ok"/></state><final id="ok"/>`,
      { platform: { answer: 42 } },
    );
    expect(logs).toEqual([42]);
    expect(s.atomicIds()).toEqual(['ok']);
  });

  it('routes events between sessions of one system by #_scxml_ id', () => {
    const a = session('<state id="wait"><transition event="ping" target="got"/></state><final id="got"/>');
    const b = createSession({
      document: wrap(`<state id="s"><onentry><send event="ping" target="#_scxml_S"/></onentry></state>`),
      evaluator: createFunctionEvaluator(),
      clock: a.timers,
      timers: a.timers,
      sessionId: 'T',
      system: a.s.options.system,
    });
    b.start();
    expect(a.s.atomicIds()).toEqual(['got']);
  });
});
