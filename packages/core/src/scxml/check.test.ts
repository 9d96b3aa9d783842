import { describe, expect, it } from 'vitest';
import { checkStrategy } from './check.js';

const wrap = (body: string, attrs = 'datamodel="ecmascript"') =>
  `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" ${attrs}>\n${body}\n</scxml>`;

describe('checkStrategy', () => {
  it('accepts a clean document', () => {
    const r = checkStrategy(
      wrap('<state id="a"><transition event="go" target="b"/></state>\n<final id="b"/>'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.document).toBeDefined();
  });

  it('reports malformed XML with its line', () => {
    const r = checkStrategy(wrap('<state id="a">\n<transition event="go" target="b">\n</state>'));
    expect(r.document).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', line: 4 });
  });

  it('reports transitions to missing ids with the transition line', () => {
    const r = checkStrategy(wrap('<state id="a">\n  <transition event="go" target="nowhere"/>\n</state>'));
    expect(r.diagnostics).toEqual([
      { line: 3, column: 3, severity: 'error', message: 'transition target "nowhere" does not exist' },
    ]);
  });

  it('warns about unreachable states', () => {
    const r = checkStrategy(
      wrap(
        '<state id="a"><transition event="go" target="b"/></state>\n<final id="b"/>\n<state id="island"/>',
      ),
    );
    expect(r.diagnostics).toMatchObject([
      { line: 4, severity: 'warning', message: 'state "island" is unreachable' },
    ]);
  });

  it('rejects unknown beckon targets, other send types and outside invoke sources', () => {
    const r = checkStrategy(
      wrap(`<state id="a">
  <onentry>
    <send type="beckon" event="dial" target="dial"/>
    <send type="http://www.w3.org/TR/scxml/#BasicHTTPEventProcessor" event="x" target="http://example.com"/>
    <if cond="true"><send event="x" target="elsewhere"/></if>
  </onentry>
  <invoke src="file:/etc/passwd"/>
</state>`),
    );
    expect(r.diagnostics.map((d) => [d.line, d.severity])).toEqual([
      [4, 'error'],
      [5, 'error'],
      [6, 'error'],
      [8, 'error'],
    ]);
  });

  it('requires the ecmascript data model for deployed strategies only', () => {
    expect(checkStrategy(wrap('<state id="a"/>', 'datamodel="null"')).diagnostics).toHaveLength(1);
    expect(
      checkStrategy(wrap('<state id="a"/>', 'datamodel="null"'), { deployed: false }).diagnostics,
    ).toEqual([]);
  });
});
