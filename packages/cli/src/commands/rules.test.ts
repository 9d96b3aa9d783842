import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@beckon/protocol';
import { run } from './rules.js';

const T0 = 1_700_000_000_000;
const ev = (i: number, at: number, name: string, category = '', visitID = 'V1'): StoredEvent => ({
  eventID: `EV${String(i).padStart(8, '0')}`,
  eventType: name.startsWith('Page') ? 'SYSTEM' : 'BUSINESS',
  eventName: name,
  pageID: 'P1',
  visitID,
  globalVisitID: 'G1',
  timestamp: T0 + at * 1000,
  receivedAt: T0 + at * 1000,
  url: 'https://shop.example.com/checkout',
  languageCode: null,
  category,
  data: { searchString: `q${i}` },
  seq: null,
});

const RULES = `package default

rule "stuck-on-checkout"
  once per visit
when idle 60s
where page.categories contains "Checkout"
then engage chat "CheckoutHelp" queue "support" priority 80
end

rule "search-struggle"
when sequence(event Search, event Search) within 5m
then engage chat "SearchHelp" data { query: last.data.searchString }
end
`;

let dir: string;
let logs: string[];
let errors: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beckon-rules-'));
  logs = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('beckon rules check', () => {
  it('prints file:line:col: message and exits 1 on errors', async () => {
    const bad = join(dir, 'bad.rules');
    await writeFile(
      bad,
      'package default\nrule "a" when event A where visitor.vistCount > 1 then emit "x" end\n',
    );
    expect(await run(['check', bad])).toBe(1);
    expect(logs).toEqual([`${bad}:2:29: unknown fact 'visitor.vistCount'`]);
  });

  it('exits 0 for valid packages, text or JSON', async () => {
    const good = join(dir, 'good.rules');
    await writeFile(good, RULES);
    const ast = join(dir, 'pkg.json');
    await writeFile(ast, JSON.stringify({ package: 'com.example', rules: [] }));
    expect(await run(['check', good, ast])).toBe(0);
    expect(logs).toEqual(['ok: default (2 rules), com.example (0 rules)']);
  });

  it('reports JSON AST errors with their path', async () => {
    const ast = join(dir, 'pkg.json');
    await writeFile(ast, JSON.stringify({ package: 'Bad Name', rules: [] }));
    expect(await run(['check', ast])).toBe(1);
    expect(logs[0]).toMatch(
      new RegExp(`^${ast.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#/package: invalid package name`),
    );
  });
});

describe('beckon rules test', () => {
  it('replays recorded events on a virtual clock, timers included, and prints rule and triggering events', async () => {
    const rules = join(dir, 'shop.rules');
    await writeFile(rules, RULES);
    const events = join(dir, 'visit.jsonl');
    const recorded = [
      ev(1, 0, 'PageEntered', 'Checkout'),
      ev(2, 10, 'Search'),
      ev(3, 20, 'Search'),
      ev(4, 200, 'PageEntered', 'Home', 'V2'),
    ];
    await writeFile(events, recorded.map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect(await run(['test', rules, '--events', events])).toBe(0);
    expect(logs).toEqual([
      `2023-11-14T22:13:40.000Z V1 default/search-struggle: engage chat "SearchHelp" queue default priority 50 data {"query":"q3"} <- EV00000002, EV00000003`,
      `2023-11-14T22:14:40.000Z V1 default/stuck-on-checkout: engage chat "CheckoutHelp" queue support priority 80 data {} <- EV00000003`,
      '2 actionable events from 4 events',
    ]);
    logs.length = 0;
    expect(await run(['test', rules, '--events', events, '--json'])).toBe(0);
    expect(logs.map((l) => (JSON.parse(l) as { ruleId: string }).ruleId)).toEqual([
      'default/search-struggle',
      'default/stuck-on-checkout',
    ]);
  });

  it('needs --events and reports bad JSONL lines', async () => {
    const rules = join(dir, 'shop.rules');
    await writeFile(rules, RULES);
    expect(await run(['test', rules])).toBe(2);
    const events = join(dir, 'bad.jsonl');
    await writeFile(events, '{"eventID":1}\nnot json\n');
    expect(await run(['test', rules, '--events', events])).toBe(1);
    expect(errors.at(-1)).toMatch(/bad\.jsonl:2: invalid JSON line/);
  });
});
