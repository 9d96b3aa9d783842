import { describe, expect, it } from 'vitest';
import { createSession, VirtualTimers, type ScxmlSession } from '@beckon/core/scxml';
import { createVmEvaluator, isUnbounded } from './vm-evaluator.js';

function run(body: string, timeoutMs = 30): ScxmlSession {
  const timers = new VirtualTimers();
  const s = createSession({
    document: `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">${body}</scxml>`,
    evaluator: createVmEvaluator({ timeoutMs }),
    clock: timers,
    timers,
    sessionId: 's1',
  });
  s.start();
  return s;
}

describe('vm evaluator', () => {
  it('evaluates expressions and scripts against the session data model', () => {
    const s = run(`<datamodel><data id="n" expr="2"/></datamodel>
      <state id="a"><onentry><script>n = n * 21; var created = 'yes';</script></onentry>
        <transition cond="n === 42 &amp;&amp; created === 'yes'" target="ok"/><transition target="ko"/></state>
      <final id="ok"/><final id="ko"/>`);
    expect(s.atomicIds()).toEqual(['ok']);
  });

  it('stops a script that loops forever and raises error.execution', () => {
    const started = performance.now();
    const s = run(`<state id="a"><onentry><script>while (true) {}</script></onentry>
        <transition event="error.execution" target="stopped"/></state><final id="stopped"/>`);
    expect(s.atomicIds()).toEqual(['stopped']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stops a looping function defined in a script when an expression calls it', () => {
    const s = run(`<script>function spin() { for (;;) {} }</script>
      <state id="a"><transition cond="spin()" target="ko"/><transition event="error.execution" target="ok"/></state>
      <final id="ok"/><final id="ko"/>`);
    expect(s.atomicIds()).toEqual(['ok']);
  });

  it('gives strategies no Node APIs and no string code generation', () => {
    // The script defines a function, so every evaluation runs under the budget: a roomy one, so that a busy
    // machine pausing the process for 30 ms cannot stop these short evaluations and end in "ko".
    const s = run(
      `<datamodel><data id="r" expr="[typeof require, typeof process, typeof setTimeout].join()"/></datamodel>
      <state id="a"><onentry><script>r2 = (function () { try { return eval('1'); } catch (e) { return 'blocked'; } })();</script></onentry>
        <transition cond="r === 'undefined,undefined,undefined' &amp;&amp; r2 === 'blocked'" target="ok"/><transition target="ko"/></state>
      <final id="ok"/><final id="ko"/>`,
      5_000,
    );
    expect(s.atomicIds()).toEqual(['ok']);
  });

  it('classifies sources that could run long', () => {
    expect(isUnbounded("ae.engagement.channel === 'offer'")).toBe(false);
    expect(isUnbounded('_x.beckon.pacing(a, b).freeProactive > 0')).toBe(false);
    expect(isUnbounded('while (x) {}')).toBe(true);
    expect(isUnbounded('xs.map(x => x)')).toBe(true);
    expect(isUnbounded("o['constructor']")).toBe(true);
  });
});
