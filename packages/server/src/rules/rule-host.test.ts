import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@beckon/protocol';
import type { ActionableEvent } from '@beckon/core/rules';
import { nodeSha256Hex, RuleCompileError, RuleHost } from './rule-host.js';
import { sha256Hex } from '@beckon/core/rules';
import { MemoryRulePackageStore, MemoryRuleStateStore } from './rule-state-store.js';
import { FakeClock } from './fake-clock.js';
import { TimerWheel } from './timer-wheel.js';

const T0 = 1_700_000_000_000;
let n = 0;
const event = (at: number, name: string, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  eventID: `EV${String(++n).padStart(8, '0')}`,
  eventType: name.startsWith('Page') ? 'SYSTEM' : 'BUSINESS',
  eventName: name,
  pageID: 'P1',
  visitID: 'V1',
  globalVisitID: 'G1',
  timestamp: at,
  receivedAt: at,
  url: 'https://shop.example.com/checkout',
  languageCode: null,
  category: 'Checkout',
  data: {},
  seq: null,
  ...extra,
});

const IDLE = `package default
rule "stuck" once per visit
when idle 60s
where page.categories contains "Checkout"
then engage chat "CheckoutHelp" queue "support" priority 80
end`;

const setup = (
  clock: FakeClock,
  store = new MemoryRuleStateStore(),
  packageStore = new MemoryRulePackageStore(),
) => {
  const fired: ActionableEvent[] = [];
  const host = new RuleHost({ store, packageStore, clock, onActionable: (_v, evs) => fired.push(...evs) });
  return { host, fired, store, packageStore };
};

describe('RuleHost', () => {
  it('restart at 30 s re-arms the idle timer with its remaining time; the rule fires once at 60 s', async () => {
    const clock = new FakeClock(T0);
    const first = setup(clock);
    await first.host.start();
    await first.host.deploy('default', IDLE);
    await first.host.onEvent(event(T0, 'PageEntered'));
    await clock.advance(30_000);
    first.host.stop(); // the node goes away at 30 s

    const second = setup(clock, first.store, first.packageStore);
    await second.host.start();
    await clock.advance(29_000);
    expect(second.fired).toEqual([]);
    await clock.advance(1_000);
    await second.host.idle();
    expect(second.fired.map((a) => [a.name, a.timestamp - T0])).toEqual([['CheckoutHelp', 60_000]]);
    await clock.advance(600_000);
    await second.host.idle();
    expect(second.fired).toHaveLength(1);
    expect(first.fired).toEqual([]);
    expect(first.store.actionable).toHaveLength(1);
    expect(await first.store.dueBefore(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('a restart after the deadline fires the overdue timer at once with its deadline as time', async () => {
    const clock = new FakeClock(T0);
    const first = setup(clock);
    await first.host.start();
    await first.host.deploy('default', IDLE);
    await first.host.onEvent(event(T0, 'PageEntered'));
    first.host.stop();
    clock.t = T0 + 300_000;
    const second = setup(clock, first.store, first.packageStore);
    await second.host.start();
    await clock.advance(0);
    await second.host.idle();
    expect(second.fired.map((a) => a.timestamp - T0)).toEqual([60_000]);
  });

  it('rejects bad packages with every error and a name mismatch', async () => {
    const { host } = setup(new FakeClock(T0));
    await expect(
      host.deploy('default', 'package default\nrule "a" when idle 1ms then end'),
    ).rejects.toMatchObject({
      code: 'compileError',
      errors: [{ line: 2, column: 29, message: expect.stringContaining('expected an action') }],
    });
    const err = await host.deploy('com.example', IDLE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleCompileError);
    expect((err as RuleCompileError).errors[0]?.path).toBe('/package');
  });

  it('deploys, lists, replaces and deletes packages; inactive packages warn', async () => {
    const clock = new FakeClock(T0);
    const { host } = setup(clock);
    expect((await host.deploy('default', IDLE)).warnings).toEqual([]);
    const shop = 'package com.example.shop\nrule "a" when event X then emit "x" end';
    expect((await host.deploy('com.example.shop', shop)).warnings[0]?.message).toMatch(/inactive/);
    expect(host.list()).toEqual([
      { name: 'com.example.shop', ruleCount: 1, deployedAt: T0, active: false },
      { name: 'default', ruleCount: 1, deployedAt: T0, active: true },
    ]);
    expect(host.get('com.example.shop')?.text).toBe(
      'package com.example.shop\n\nrule "a"\nwhen event X\nthen\n  emit "x"\nend\n',
    );
    expect(await host.remove('com.example.shop')).toBe(true);
    expect(await host.remove('com.example.shop')).toBe(false);
    expect(host.list().map((p) => p.name)).toEqual(['default']);
  });

  it('hot reload between events keeps state of unchanged rules and never fires a deleted one', async () => {
    const clock = new FakeClock(T0);
    const { host, fired } = setup(clock);
    await host.deploy(
      'default',
      'package default\nrule "s" when sequence(event A, event B) within 1h then emit "v1" end',
    );
    await host.onEvent(event(T0, 'A'));
    await host.deploy(
      'default',
      'package default\nrule "s" when sequence(event A, event B) within 1h then emit "v2" end',
    );
    await host.onEvent(event(T0 + 1000, 'B'));
    expect(fired.map((a) => a.name)).toEqual(['v2']);
    await host.deploy('default', 'package default\nrule "t" when event A then emit "t" end');
    await host.onEvent(event(T0 + 2000, 'B'));
    expect(fired.map((a) => a.name)).toEqual(['v2']);
  });

  it('evaluates each visit in order even when calls overlap', async () => {
    const clock = new FakeClock(T0);
    const { host, fired } = setup(clock);
    await host.deploy(
      'default',
      'package default\nrule "s" when sequence(event A, event B) within 1h then emit "ab" end',
    );
    await Promise.all([
      host.onEvent(event(T0, 'A')),
      host.onEvent(event(T0 + 1, 'B')),
      host.onEvent(event(T0, 'A', { visitID: 'V2' })),
    ]);
    expect(fired.map((a) => [a.name, a.visitID])).toEqual([['ab', 'V1']]);
  });

  it('reloads evicted visit states from the store', async () => {
    const clock = new FakeClock(T0);
    const store = new MemoryRuleStateStore();
    const host = new RuleHost({ store, clock, maxCachedVisits: 1 });
    await host.deploy(
      'default',
      'package default\nrule "s" when sequence(event A, event B) within 1h then emit "ab" end',
    );
    await host.onEvent(event(T0, 'A'));
    await host.onEvent(event(T0, 'A', { visitID: 'V2' }));
    const out = await host.onEvent(event(T0 + 5, 'B'));
    expect(out.map((a) => a.name)).toEqual(['ab']);
  });
});

describe('RuleHost snapshots and replay (spec/rules.md §8.12)', () => {
  const LOANS = `package default
rule "loans" when count(event PageEntered in "Loans") within 5m >= 3 then emit "LoanShopper" end`;

  /** The stored events of the visits, as ingest committed them, and a host that replays from them. */
  const replaying = (
    clock: FakeClock,
    store = new MemoryRuleStateStore(),
    packageStore = new MemoryRulePackageStore(),
  ) => {
    const log: StoredEvent[] = [];
    const saves: number[] = [];
    const save = store.save.bind(store);
    store.save = async (visitId, record) => {
      saves.push(JSON.parse(record.state).n as number);
      await save(visitId, record);
    };
    const fired: ActionableEvent[] = [];
    const host = new RuleHost({
      store,
      packageStore,
      clock,
      onActionable: (_v, evs) => fired.push(...evs),
      eventsAfter: async (visitId, after) => {
        const mine = log.filter((e) => e.visitID === visitId);
        const at = mine.findIndex((e) => e.eventID === after);
        return at < 0 ? [] : mine.slice(at + 1);
      },
    });
    /** Ingest commits the event, then the host evaluates it. */
    const ingest = async (e: StoredEvent) => {
      log.push(e);
      return host.onEvent(e);
    };
    return { host, store, packageStore, log, saves, fired, ingest };
  };
  const page = (at: number, category: string) => event(at, 'PageEntered', { category, pageID: `P${at}` });

  it('writes the state only when it must, and a restart rebuilds the rest from the stored events', async () => {
    const clock = new FakeClock(T0);
    const first = replaying(clock);
    await first.host.deploy('default', LOANS);
    const journey = [page(T0, 'Loans'), page(T0 + 10_000, 'Home'), page(T0 + 20_000, 'Loans')];
    for (let i = 3; i < 10; i++) journey.push(event(T0 + i * 10_000, 'Scroll'));
    for (const e of journey) expect(await first.ingest(e)).toEqual([]);
    expect(first.saves).toEqual([1]); // the first evaluation point only: nothing fired, no timer
    first.host.stop(); // the node dies without writing more

    const second = replaying(clock, first.store, first.packageStore);
    second.log.push(...first.log);
    await second.host.start();
    const third = page(T0 + 200_000, 'Loans');
    const out = await second.ingest(third);
    // the same event fires on a host that never restarted
    const reference = setup(clock);
    await reference.host.deploy('default', LOANS);
    for (const e of [...journey, third]) await reference.host.onEvent(e);
    expect(out.map((a) => [a.name, a.triggeringEventIDs])).toEqual([
      ['LoanShopper', [journey[0]!.eventID, journey[2]!.eventID, third.eventID]],
    ]);
    expect(out).toEqual(reference.fired);
    expect(second.saves).toEqual([11]); // fired: written with its actionable event
  });

  it('writes at least every 16 evaluation points, and when a timer comes earlier than the one written', async () => {
    const clock = new FakeClock(T0);
    const h = replaying(clock);
    await h.host.deploy(
      'default',
      'package default\nrule "gone" when event AddToCart followed by no event CheckoutStarted for 5m then emit "x" end',
    );
    for (let i = 0; i < 20; i++) await h.ingest(event(T0 + i * 1000, 'Scroll'));
    expect(h.saves).toEqual([1, 17]);
    await h.ingest(event(T0 + 21_000, 'AddToCart')); // a deadline where there was none
    await h.ingest(event(T0 + 22_000, 'Scroll'));
    expect(h.saves).toEqual([1, 17, 21]);
  });

  it('a timer that wakes a restarted node replays the events stored since, and none is evaluated twice', async () => {
    const clock = new FakeClock(T0);
    const first = replaying(clock);
    await first.host.start();
    await first.host.deploy(
      'default',
      `${IDLE}\nrule "two-b" when count(event B) within 1h >= 2 then emit "TwoB" end`,
    );
    await first.ingest(event(T0, 'PageEntered')); // written: idle deadline T0 + 60 s
    await clock.advance(10_000);
    await first.ingest(event(T0 + 10_000, 'Scroll')); // idle deadline moves to T0 + 70 s: not written
    first.log.push(event(T0 + 20_000, 'B')); // committed by ingest, then the node died before evaluating it
    first.host.stop();

    const second = replaying(clock, first.store, first.packageStore);
    second.log.push(...first.log);
    await second.host.start();
    await clock.advance(50_000); // T0 + 60 s: the written deadline, too early now
    await second.host.idle();
    expect(second.fired).toEqual([]);
    // the bus delivers the late event after the replay already applied it: counted once, so no "TwoB"
    expect(await second.host.onEvent(second.log.at(-1)!)).toEqual([]);
    await clock.advance(30_000); // T0 + 80 s: 60 s after the last event, B at T0 + 20 s
    await second.host.idle();
    expect(second.fired.map((a) => [a.name, a.timestamp - T0])).toEqual([['CheckoutHelp', 80_000]]);
  });

  it('writes the states not yet written before a new rule set becomes active', async () => {
    const clock = new FakeClock(T0);
    const h = replaying(clock);
    await h.host.deploy('default', LOANS);
    for (let i = 0; i < 5; i++) await h.ingest(page(T0 + i * 1000, 'Home'));
    expect(h.saves).toEqual([1]);
    await h.host.deploy(
      'default',
      `${LOANS}\nrule "home" when event PageEntered in "Home" then emit "H" end`,
    );
    expect(h.saves).toEqual([1, 5]);
    await h.host.flush();
    expect(h.saves).toEqual([1, 5]); // nothing left to write
  });
});

describe('nodeSha256Hex', () => {
  it('is the SHA-256 of the UTF-8 text, as the engine computes it without node:crypto', () => {
    expect(nodeSha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const text = 'r1\nV1\n1700000000000\nE1,E2 é ✓';
    expect(nodeSha256Hex(text)).toBe(sha256Hex(text));
  });
});

describe('TimerWheel', () => {
  it('keeps one platform timer for many visits and fires in deadline order', async () => {
    const clock = new FakeClock(0);
    const seen: string[][] = [];
    const wheel = new TimerWheel(clock, (ids) => seen.push(ids));
    for (let i = 0; i < 100; i++) wheel.add(`v${i}`, 1000 + ((i * 37) % 100) * 10);
    expect((clock as unknown as { timers: unknown[] }).timers).toHaveLength(1);
    await clock.advance(1005);
    expect(seen).toEqual([['v0']]);
    await clock.advance(10_000);
    expect(seen.flat()).toHaveLength(100);
  });
});
