import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './strategy.js';

const dir = mkdtempSync(join(tmpdir(), 'beckon-strategy-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const DEFAULT = new URL('../../../server/src/scxml/strategies/default.scxml', import.meta.url).pathname;

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('beckon strategy check', () => {
  it('passes the default strategy', async () => {
    const out = capture();
    expect(await run(['check', DEFAULT])).toBe(0);
    expect(out.join('\n')).toContain('ok');
  });

  it('prints errors with line numbers and exits 1', async () => {
    const p = file(
      'bad.scxml',
      `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
  <state id="a">
    <transition event="go" target="missing"/>
    <onentry><send type="beckon" event="x" target="dial"/></onentry>
  </state>
  <state id="lonely"/>
</scxml>`,
    );
    const out = capture();
    expect(await run(['check', p])).toBe(1);
    expect(out).toEqual([
      `${p}:3:5: error: transition target "missing" does not exist`,
      `${p}:4:14: error: unknown beckon target "dial" (expected one of visitor.notify, invite, invite.cancel, chat.start, callback.create, outcome)`,
      `${p}:6:3: warning: state "lonely" is unreachable`,
    ]);
  });

  it('exits 2 with usage on bad arguments', async () => {
    capture();
    expect(await run(['frobnicate'])).toBe(2);
  });
});

describe('beckon strategy run', () => {
  it('runs the default strategy through an accepted chat and ends with the JSON summary', async () => {
    const events = file(
      'accept.json',
      JSON.stringify([
        { name: 'actionable', data: { engagement: { channel: 'chat', queue: 'sales' } } },
        { name: 'invite.accepted', after: 4000 },
        { name: 'chat.ended', data: { connected: true }, after: 60000 },
      ]),
    );
    const out = capture();
    expect(await run(['run', DEFAULT, '--events', events, '--json'])).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({ configuration: ['end'], done: true });
    expect(lines[1]).toMatchObject({
      event: 'actionable',
      configuration: ['main', 'inviting'],
      sends: [{ target: 'invite' }],
    });
    expect(lines[3]).toMatchObject({
      t: 64000,
      sends: [{ target: 'outcome', params: { code: 'completed' } }],
    });
  });

  it('reports an idle, unfinished session when no capacity and no events remain', async () => {
    const events = file(
      'wait.json',
      JSON.stringify({
        pacing: { freeProactive: 0 },
        events: [{ name: 'actionable', data: { engagement: { channel: 'chat' } } }],
      }),
    );
    const out = capture();
    expect(await run(['run', DEFAULT, '--events', events, '--json'])).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toEqual({ configuration: ['main', 'deciding'], done: false });
  });

  it('fires delayed sends on the virtual clock and prints a readable trace', async () => {
    const p = file(
      'timer.scxml',
      `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript">
  <state id="wait"><onentry><send event="tick" delay="30s"/></onentry><transition event="tick" target="over"/></state>
  <final id="over"><onentry><send type="beckon" event="outcome" target="outcome"><param name="code" expr="'timeout'"/></send></onentry></final>
</scxml>`,
    );
    const out = capture();
    expect(await run(['run', p])).toBe(0);
    expect(out).toEqual([
      '[0 ms] start -> wait',
      '[30000 ms] timer -> over',
      '    send beckon outcome {"code":"timeout"}',
      'final',
    ]);
  });
});
