import { describe, expect, it } from 'vitest';
import { createFunctionEvaluator } from './function-evaluator.js';
import { createSession } from './create-session.js';
import { loadScxml } from './build-document.js';
import { restoreSession, takeSnapshot, type SessionSnapshot } from './snapshot.js';
import { SessionSystem } from './system.js';
import { VirtualTimers } from './virtual-timers.js';
import type { OutboundSend, ScxmlDocument } from './types.js';

const DOC = `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="waiting">
  <datamodel><data id="count" expr="0"/><data id="fn" expr="null"/></datamodel>
  <script>function double(x) { return x * 2; }</script>
  <state id="waiting">
    <onentry>
      <send id="t1" event="tick" delay="10s"/>
      <send id="t2" event="tock" delay="20s"/>
      <send type="out" target="x" event="armed" delay="15s"/>
    </onentry>
    <transition event="tick"><assign location="count" expr="double(count + 1)"/></transition>
    <transition event="tock" cond="count === 2" target="done"/>
    <transition event="tock" target="wrong"/>
  </state>
  <final id="done"/><final id="wrong"/>
</scxml>`;

function setup(
  doc: ScxmlDocument,
  timers: VirtualTimers,
  sent: OutboundSend[],
  system = new SessionSystem(),
) {
  return {
    document: doc,
    evaluator: createFunctionEvaluator(),
    clock: timers,
    timers,
    system,
    ioProcessors: { out: { location: 'out', deliver: (s: OutboundSend) => void sent.push(s) } },
  };
}

describe('snapshot and resume', () => {
  const doc = loadScxml(DOC).document!;

  it('round-trips through JSON and keeps pending sends with absolute due times', () => {
    const timers = new VirtualTimers(1_000);
    const s = createSession({ ...setup(doc, timers, []), sessionId: 'e1' });
    s.start();
    const snap = JSON.parse(JSON.stringify(takeSnapshot(s))) as SessionSnapshot;
    expect(snap.configuration).toEqual(['waiting']);
    expect(snap.pending.map((p) => [p.sendid, p.dueAt])).toEqual([
      ['t1', 11_000],
      ['e1.1', 16_000],
      ['t2', 21_000],
    ]);
    expect(snap.data).toEqual({ count: 0, fn: null });
  });

  it('fires sends that fell due while stopped exactly once, in dueAt order, and re-arms the rest', () => {
    const timers = new VirtualTimers(0);
    const sent: OutboundSend[] = [];
    const s = createSession({ ...setup(doc, timers, sent), sessionId: 'e1' });
    s.start();
    const json = JSON.stringify(takeSnapshot(s));
    s.stop();

    // Resume elsewhere, 16 s later: t1 (10 s) and the outside send (15 s) are overdue, t2 (20 s) is not.
    const later = new VirtualTimers(16_000);
    const sentLater: OutboundSend[] = [];
    const resumed = restoreSession(JSON.parse(json) as SessionSnapshot, setup(doc, later, sentLater));
    expect(resumed.dm.scope['count']).toBe(2); // tick ran once; `double` was redefined by the top-level script
    expect(sentLater.map((x) => x.event)).toEqual(['armed']);
    expect(later.size).toBe(1);
    later.advance(60_000);
    expect(resumed.atomicIds()).toEqual(['done']);
    expect(sentLater).toHaveLength(1);
    expect(sent).toHaveLength(0);
  });

  it('resumes a session whose external queue still holds events', () => {
    const timers = new VirtualTimers(0);
    const s = createSession({ ...setup(doc, timers, []), sessionId: 'e2' });
    s.start();
    s.externalQueue.push({ name: 'tick', type: 'external' });
    const snap = takeSnapshot(s);
    expect(snap.externalQueue).toHaveLength(1);
    const resumed = restoreSession(snap, setup(doc, new VirtualTimers(0), []));
    expect(resumed.dm.scope['count']).toBe(2);
  });

  it('rejects a snapshot that names states the document lacks', () => {
    const timers = new VirtualTimers(0);
    const s = createSession({ ...setup(doc, timers, []), sessionId: 'e3' });
    s.start();
    const snap = { ...takeSnapshot(s), configuration: ['nowhere'] };
    expect(() => restoreSession(snap, setup(doc, timers, [], new SessionSystem()))).toThrow(/nowhere/);
  });
});
