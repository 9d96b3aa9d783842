import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DSL_MAX_BYTES, validateDsl } from './validate-dsl.js';

const valid = `<properties>
  <events>
    <event id="TimeoutEvent30" name="Timeout-30" condition="" postcondition="document.hasFocus() === true">
      <trigger name="TimeoutTrigger" element="" action="timer:30000" type="timeout" url="" count="1"/>
    </event>
    <event id="AddToCartClick" name="AddToCart">
      <trigger name="AddClick" element="img.bdt-addToCart" action="click" url="/products/">
        <val name="productName" value="$(event.target).closest('div.hproduct').find('h3.name a').text()"/>
      </trigger>
      <val name="cartSize" value="$('#cart .item').length"/>
    </event>
  </events>
</properties>`;

describe('validateDsl', () => {
  it('accepts the example of compat.md §9', () => {
    expect(validateDsl(valid)).toEqual([]);
  });

  it('reports a well-formedness error with its position', () => {
    const issues = validateDsl('<properties>\n  <events>\n  </event>\n</properties>');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.message).toBe('unexpected close tag.');
  });

  it('reports unknown elements and attributes, duplicate ids and trigger names, missing attributes', () => {
    const xml = `<properties>
<events>
<event id="a" name="A" color="red">
  <trigger name="t" element="" action="click"/>
  <trigger name="t" element="" action="click"/>
</event>
<event id="a" name="B"><trigger name="x" action="click"/><foo/></event>
</events>
</properties>`;
    const messages = validateDsl(xml).map((i) => `${i.line}:${i.message}`);
    expect(messages).toEqual([
      '3:unknown attribute color on <event>',
      '5:trigger name t is not unique within its event',
      '7:event id a is not unique',
      '7:<trigger> needs the element attribute',
      '7:<foo> is not allowed inside <event>',
    ]);
  });

  it('checks timers, types, counts and url regexes', () => {
    const xml = `<properties><events>
<event id="a" name="A"><trigger name="t" element="" action="timer:50" type="timeout"/></event>
<event id="b" name="B"><trigger name="t" element="" action="timer:1000"/></event>
<event id="c" name="C"><trigger name="t" element="a" action="click" count="0" url="/(/"/></event>
<event id="d" name="D"><trigger name="t" element="a" action="click" type="nomove"/></event>
<event id="e" name="E"><val name="x" value="1"/></event>
</events></properties>`;
    const messages = validateDsl(xml).map((i) => `${i.line}:${i.message}`);
    expect(messages).toEqual([
      '2:timer 50 ms is outside 100–86400000',
      '3:timer triggers need type="timeout" or "nomove"',
      '4:count 0 must be an integer 1–1000',
      '4:url /(/ is not a valid regular expression',
      '5:type is only allowed on timer triggers',
      '6:an event needs at least one <trigger>',
    ]);
  });

  it('requires <properties> with exactly one <events>', () => {
    expect(validateDsl('<events/>')[0]!.message).toMatch(/root element must be <properties>/);
    expect(validateDsl('<properties/>')[0]!.message).toMatch(/exactly one <events>/);
    expect(validateDsl('')[0]!.line).toBe(1);
  });

  it('rejects files over 256 KB', () => {
    const big = valid.replace('<events>', '<events>' + ' '.repeat(DSL_MAX_BYTES));
    expect(validateDsl(big)).toEqual([{ line: 1, column: 1, message: expect.stringMatching(/larger/) }]);
  });

  it('never throws and always reports positive positions', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const issues = validateDsl(s);
        return issues.every((i) => i.line >= 1 && i.column >= 1 && i.message.length > 0);
      }),
    );
  });
});
