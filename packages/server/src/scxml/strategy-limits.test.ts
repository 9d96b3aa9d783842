import { describe, expect, it } from 'vitest';
import { createSession, takeSnapshot, VirtualTimers } from '@beckon/core/scxml';
import { dataModelBytes, STRATEGY_LIMITS, STRATEGY_SESSION_LIMITS } from './strategy-limits.js';
import { createVmEvaluator } from './vm-evaluator.js';

describe('strategy limits', () => {
  it('measures the serialized data model against the 64 KB budget', () => {
    const timers = new VirtualTimers();
    const s = createSession({
      document: `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
        <datamodel><data id="small" expr="'x'"/><data id="big" expr="null"/></datamodel>
        <state id="a"><transition event="grow"><script>big = Array(70000).join('y');</script></transition></state></scxml>`,
      evaluator: createVmEvaluator(),
      clock: timers,
      timers,
      sessionId: 'E1',
      ...STRATEGY_SESSION_LIMITS,
    });
    s.start();
    expect(dataModelBytes(takeSnapshot(s))).toBeLessThan(STRATEGY_LIMITS.maxDataModelBytes);
    s.send('grow');
    expect(dataModelBytes(takeSnapshot(s))).toBeGreaterThan(STRATEGY_LIMITS.maxDataModelBytes);
  });

  it('stops a strategy that loops through eventless transitions', () => {
    const timers = new VirtualTimers();
    const s = createSession({
      document: `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
        <state id="a"><transition target="b"/></state><state id="b"><transition target="a"/></state></scxml>`,
      evaluator: createVmEvaluator(),
      clock: timers,
      timers,
      sessionId: 'E2',
      ...STRATEGY_SESSION_LIMITS,
    });
    s.start();
    expect(s.status).toBe('stopped');
  });
});
