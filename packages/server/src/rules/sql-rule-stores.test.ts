/**
 * The restart acceptance test of issue 4 on the real SQL stores: a visit idles toward an `idle 60s` rule, the
 * process goes away at 30 s (store closed), a new process opens the same SQLite data directory, and the rule
 * fires exactly once at 60 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionableEvent } from '@beckon/core/rules';
import type { StoredEvent } from '@beckon/protocol';
import { openStore } from '../store/open-store.js';
import { FakeClock } from './fake-clock.js';
import { RuleHost } from './rule-host.js';
import { SqlRulePackageStore, SqlRuleStateStore } from './sql-rule-stores.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(path.join(tmpdir(), 'beckon-rules-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IDLE = `package default
rule "stuck" once per visit
when idle 60s
where page.categories contains "Checkout"
then engage chat "CheckoutHelp" queue "support" priority 80
end`;

const entered: StoredEvent = {
  eventID: 'EVENT0000000001',
  eventType: 'SYSTEM',
  eventName: 'PageEntered',
  pageID: 'PAGE00000001',
  visitID: 'VISIT0000001',
  globalVisitID: 'GLOBAL000001',
  timestamp: T0,
  receivedAt: T0,
  url: 'https://shop.example.com/checkout',
  languageCode: null,
  category: 'Checkout',
  data: {},
  seq: null,
};

async function node(clock: FakeClock) {
  const store = await openStore({ dataDir: dir, databaseUrl: '' });
  const states = new SqlRuleStateStore(store);
  const fired: ActionableEvent[] = [];
  const host = new RuleHost({
    store: states,
    packageStore: new SqlRulePackageStore(store),
    clock,
    onActionable: (_visitId, events) => fired.push(...events),
  });
  await host.start();
  return { store, states, host, fired };
}

describe('rule state in SQLite across a restart', () => {
  it('re-arms the idle timer with its remaining time and fires once at 60 s', async () => {
    const clock = new FakeClock(T0);
    const first = await node(clock);
    await first.host.deploy('default', IDLE);
    await first.host.onEvent(entered);
    await clock.advance(30_000);
    first.host.stop();
    await first.host.idle();
    await first.store.close(); // the process goes away at 30 s

    const second = await node(clock);
    expect(second.host.list().map((p) => p.name)).toEqual(['default']);
    await clock.advance(29_000);
    await second.host.idle();
    expect(second.fired).toEqual([]);
    await clock.advance(1_000);
    await second.host.idle();
    expect(second.fired.map((a) => [a.name, a.timestamp - T0])).toEqual([['CheckoutHelp', 60_000]]);
    await clock.advance(600_000);
    await second.host.idle();
    expect(second.fired).toHaveLength(1);
    expect(first.fired).toEqual([]);
    expect((await second.states.actionable(entered.visitID)).map((a) => a.ruleId)).toEqual(['default/stuck']);
    expect(await second.states.dueBefore(Number.MAX_SAFE_INTEGER)).toEqual([]);
    second.host.stop();
    await second.store.close();
  });
});
