import { describe, expect, it } from 'vitest';
import { createSession, VirtualTimers } from '@beckon/core/scxml';
import { StrategyCatalog } from './strategy-catalog.js';
import { createVmEvaluator } from './vm-evaluator.js';

const wrap = (body: string) =>
  `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">\n${body}\n</scxml>`;

describe('StrategyCatalog', () => {
  it('ships the default strategy', () => {
    const catalog = StrategyCatalog.withBuiltIns();
    expect(catalog.names()).toEqual(['default']);
    expect(catalog.get('default')?.name).toBe('default');
  });

  it('rejects invalid documents with line, column and message', () => {
    const catalog = new StrategyCatalog();
    const result = catalog.deploy(
      'bad',
      wrap('<state id="a">\n  <transition event="x" target="nope"/>\n</state>'),
    );
    expect(result).toEqual({
      ok: false,
      errors: [{ line: 3, column: 3, message: 'transition target "nope" does not exist' }],
    });
    expect(catalog.get('bad')).toBeUndefined();
    expect(catalog.deploy('../etc', wrap('<state id="a"/>')).ok).toBe(false);
  });

  it('resolves strategy:<name> for invoked sub-strategies', () => {
    const catalog = new StrategyCatalog();
    expect(
      catalog.deploy(
        'policy',
        wrap('<final id="done"><donedata><param name="allowed" expr="true"/></donedata></final>'),
      ).ok,
    ).toBe(true);
    expect(
      catalog.deploy(
        'main',
        wrap(`<state id="ask"><invoke src="strategy:policy"/>
          <transition event="done.invoke" cond="_event.data.allowed" target="go"/></state><final id="go"/>`),
      ).ok,
    ).toBe(true);
    const timers = new VirtualTimers();
    const s = createSession({
      document: catalog.get('main')!,
      evaluator: createVmEvaluator(),
      clock: timers,
      timers,
      sessionId: 'E1',
      resolver: catalog.resolver,
    });
    s.start();
    expect(s.atomicIds()).toEqual(['go']);
  });
});
