import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { sessionize, visitHasEnded } from './sessionize.js';
import type { CategorizeInput, SessionizeContext, SessionizeResult } from './sessionize.js';
import type { ValidEvent } from './validate-event.js';
import type { VisitState } from './visit-state.js';

const VISIT = 'VISIT0000000000000000000000000001';
const OTHER_VISIT = 'VISIT0000000000000000000000000002';
const GVID = 'GVID00000000000000000000000000001';
const PAGE1 = 'PAGE0000000000000000000000000001';
const PAGE2 = 'PAGE0000000000000000000000000002';
const T0 = 1_700_000_000_000;
const SECRET = 'app-secret';

let eventCounter = 0;
function event(eventName: string, patch: Partial<ValidEvent> = {}): ValidEvent {
  eventCounter += 1;
  const system = ['VisitStarted', 'PageEntered', 'PageExited', 'SignIn', 'SignOut', 'UserInfo'].includes(
    eventName,
  );
  return {
    eventType: system ? 'SYSTEM' : 'BUSINESS',
    eventName,
    eventID: `EVENT${String(eventCounter).padStart(27, '0')}`,
    pageID: PAGE1,
    visitID: VISIT,
    globalVisitID: GVID,
    timestamp: T0 - 5,
    url: 'https://shop.example.com/tv',
    languageCode: null,
    data: {},
    seq: null,
    ...patch,
  };
}

const sign = (userId: string): string => createHmac('sha256', SECRET).update(userId, 'utf8').digest('hex');

function context(patch: Partial<SessionizeContext> = {}): SessionizeContext {
  return {
    receivedAt: T0,
    userAgent: 'Request-UA/1.0',
    hashUserAgent: (ua) => `HASH(${ua})`,
    verifySignature: (userId, signature) => sign(userId) === signature,
    requireSignature: false,
    visitExpirationMs: 86_400_000,
    inactivityMs: 1_800_000,
    categorize: () => '',
    ...patch,
  };
}

type Ok = Extract<SessionizeResult, { ok: true }>;
function ok(result: SessionizeResult): Ok {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

/** Runs events in order at one-second steps on one visit; returns the state and the last result. */
function run(events: ValidEvent[], patch: Partial<SessionizeContext> = {}): { state: VisitState; last: Ok } {
  let state: VisitState | null = null;
  let last: Ok | undefined;
  events.forEach((ev, i) => {
    last = ok(sessionize(state, ev, undefined, context({ receivedAt: T0 + i * 1000, ...patch })));
    state = last.state;
  });
  if (!state || !last) throw new Error('no events');
  return { state, last };
}

describe('sessionize: visits', () => {
  it.each(['VisitStarted', 'PageEntered', 'PageExited', 'AddToCart', 'SignOut'])(
    'creates the visit on its first event, whatever its type (%s)',
    (name) => {
      const result = ok(sessionize(null, event(name, { languageCode: 'en-US' }), undefined, context()));
      expect(result.writes.visitCreated).toBe(true);
      expect(result.state).toMatchObject({
        visitId: VISIT,
        globalVisitID: GVID,
        startDate: T0,
        lastEventAt: T0,
        endedAt: 0,
        languageCode: 'en-US',
        current: null,
      });
      expect(result.state.pages.has(PAGE1)).toBe(true);
    },
  );

  it('takes the User-Agent of the request unless VisitStarted brings one', () => {
    const plain = ok(sessionize(null, event('AddToCart'), undefined, context()));
    expect(plain.state.userAgent).toBe('Request-UA/1.0');
    expect(plain.state.userAgentId).toBe('HASH(Request-UA/1.0)');
    const started = event('VisitStarted', {
      data: { userAgent: 'Page-UA/2.0', referrer: 'https://www.google.com/' },
    });
    const result = ok(sessionize(null, started, undefined, context()));
    expect(result.state).toMatchObject({
      userAgent: 'Page-UA/2.0',
      userAgentId: 'HASH(Page-UA/2.0)',
      referrer: 'https://www.google.com/',
    });
  });

  it('reuses an existing visit and moves lastEventAt', () => {
    const { state } = run([event('VisitStarted'), event('AddToCart'), event('AddToCart')]);
    expect(state.startDate).toBe(T0);
    expect(state.lastEventAt).toBe(T0 + 2000);
    const again = ok(sessionize(state, event('AddToCart'), VISIT, context({ receivedAt: T0 + 5000 })));
    expect(again.writes.visitCreated).toBe(false);
  });

  it('stores the event with receivedAt and the server category, ignoring nothing else', () => {
    const ev = event('AddToCart', { seq: 3, data: { productName: 'Sony' }, languageCode: 'de' });
    const result = ok(sessionize(null, ev, undefined, context({ categorize: () => 'Products;TV' })));
    expect(result.writes.event).toEqual({
      eventID: ev.eventID,
      eventType: 'BUSINESS',
      eventName: 'AddToCart',
      pageID: PAGE1,
      visitID: VISIT,
      globalVisitID: GVID,
      timestamp: T0 - 5,
      receivedAt: T0,
      url: 'https://shop.example.com/tv',
      languageCode: 'de',
      category: 'Products;TV',
      data: { productName: 'Sony' },
      seq: 3,
    });
  });
});

describe('sessionize: rejections', () => {
  it('idConflict when the pageID belongs to another visit', () => {
    const result = sessionize(null, event('AddToCart'), OTHER_VISIT, context());
    expect(result).toMatchObject({ ok: false, code: 'idConflict' });
    expect(!result.ok && result.message).toContain('pageID');
    expect(ok(sessionize(null, event('AddToCart'), VISIT, context())).writes.visitCreated).toBe(true);
  });

  it('visitExpired once the visit reaches visitExpirationTime, and the visit ends at its last event', () => {
    let state: VisitState | null = null;
    // One event every 20 minutes keeps the visit active, until it is 24 h old.
    for (let t = 0; t < 86_400_000; t += 1_200_000) {
      state = ok(sessionize(state, event('AddToCart'), undefined, context({ receivedAt: T0 + t }))).state;
    }
    if (!state) throw new Error('no state');
    const lastAt = state.lastEventAt;
    const late = sessionize(state, event('AddToCart'), VISIT, context({ receivedAt: T0 + 86_400_000 }));
    expect(late).toMatchObject({ ok: false, code: 'visitExpired' });
    expect(state.endedAt).toBe(lastAt);
    // Once ended, it stays ended.
    expect(sessionize(state, event('AddToCart'), VISIT, context({ receivedAt: lastAt + 1 }))).toMatchObject({
      ok: false,
      code: 'visitExpired',
    });
  });

  it('visitExpirationTime 0 means never', () => {
    const { state } = run([event('AddToCart')]);
    state.lastEventAt = T0 + 10 * 86_400_000;
    const ctx = context({ receivedAt: T0 + 10 * 86_400_000 + 1000, visitExpirationMs: 0 });
    expect(sessionize(state, event('AddToCart'), VISIT, ctx).ok).toBe(true);
  });

  it('visitExpired after visit.inactivityTimeout without events', () => {
    const { state } = run([event('AddToCart')]);
    const justInTime = context({ receivedAt: T0 + 1_800_000 - 1 });
    expect(visitHasEnded(state, T0 + 1_800_000 - 1, justInTime)).toBe(false);
    expect(sessionize(state, event('AddToCart'), VISIT, justInTime).ok).toBe(true);
    const silentFrom = state.lastEventAt;
    const late = sessionize(
      state,
      event('AddToCart'),
      VISIT,
      context({ receivedAt: silentFrom + 1_800_000 }),
    );
    expect(late).toMatchObject({ ok: false, code: 'visitExpired' });
    expect(state.endedAt).toBe(silentFrom);
  });

  it('a rejected event changes neither lastEventAt nor pages', () => {
    const { state } = run([event('AddToCart')]);
    const bad = event('SignIn', { pageID: PAGE2, data: { userId: 'jane', userIdSignature: 'deadbeef' } });
    expect(sessionize(state, bad, undefined, context({ receivedAt: T0 + 1000 }))).toMatchObject({
      ok: false,
      code: 'invalidSignature',
    });
    expect(state.lastEventAt).toBe(T0);
    expect(state.pages.has(PAGE2)).toBe(false);
    expect(state.current).toBeNull();
  });
});

describe('sessionize: pages', () => {
  it('creates a page on the first event that names it, of any type', () => {
    const result = ok(
      sessionize(null, event('AddToCart', { url: 'https://shop.example.com/a' }), undefined, context()),
    );
    expect(result.writes.page).toEqual({
      pageId: PAGE1,
      visitId: VISIT,
      url: 'https://shop.example.com/a',
      title: '',
      referrer: '',
      startDate: T0,
      endDate: 0,
      durationMs: null,
      category: '',
      identityId: null,
    });
  });

  it('PageEntered sets url, title, referrer and the page category', () => {
    const entered = event('PageEntered', {
      url: 'https://shop.example.com/tv',
      data: { title: 'TVs', referrer: 'https://shop.example.com/' },
    });
    const categorize = (input: CategorizeInput): string => (input.title === 'TVs' ? 'Products' : 'Other');
    const { state, last } = run([event('AddToCart', { url: 'https://shop.example.com/x' }), entered], {
      categorize,
    });
    expect(last.writes.page).toMatchObject({
      url: 'https://shop.example.com/tv',
      title: 'TVs',
      referrer: 'https://shop.example.com/',
      category: 'Products',
    });
    expect(last.writes.event.category).toBe('Products');
    // Later events on the page are categorized on their own, but the page keeps its PageEntered category.
    const later = ok(
      sessionize(
        state,
        event('AddToCart'),
        VISIT,
        context({ receivedAt: T0 + 2000, categorize: () => 'Late' }),
      ),
    );
    expect(later.writes.event.category).toBe('Late');
    expect(later.writes.page.category).toBe('Products');
  });

  it('categorizes with title and referrer from the event data, else from its page', () => {
    const seen: CategorizeInput[] = [];
    const categorize = (input: CategorizeInput): string => {
      seen.push(input);
      return '';
    };
    const entered = event('PageEntered', { data: { title: 'TVs', referrer: 'https://r.example/' } });
    const own = event('Custom', { data: { title: 'Own title' }, languageCode: 'fr', eventName: 'Custom' });
    run([entered, event('AddToCart', { data: { k: 1 } }), own], { categorize });
    expect(seen[1]).toEqual({
      url: 'https://shop.example.com/tv',
      title: 'TVs',
      referrer: 'https://r.example/',
      eventName: 'AddToCart',
      languageCode: null,
      data: { k: 1 },
    });
    expect(seen[2]).toMatchObject({ title: 'Own title', referrer: 'https://r.example/', languageCode: 'fr' });
  });

  it('PageExited sets endDate and durationMs from the page start', () => {
    const { last } = run([
      event('PageEntered'),
      event('AddToCart'),
      event('PageExited', { data: { durationMs: 1900 } }),
    ]);
    expect(last.writes.page).toMatchObject({ startDate: T0, endDate: T0 + 2000, durationMs: 2000 });
  });

  it('keeps pages of one visit apart', () => {
    const { state } = run([
      event('PageEntered', { data: { title: 'One' } }),
      event('PageEntered', { pageID: PAGE2, data: { title: 'Two' } }),
    ]);
    expect(state.pages.get(PAGE1)?.title).toBe('One');
    expect(state.pages.get(PAGE2)).toMatchObject({ title: 'Two', startDate: T0 + 1000 });
  });
});
