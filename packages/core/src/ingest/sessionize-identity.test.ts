import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { sessionize } from './sessionize.js';
import type { SessionizeContext, SessionizeResult } from './sessionize.js';
import type { ValidEvent } from './validate-event.js';
import type { VisitState } from './visit-state.js';

// The identity state machine of spec/compat.md §14, one test per table row, plus attributes and verification.

const VISIT = 'VISIT0000000000000000000000000001';
const T0 = 1_700_000_000_000;
const SECRET = 'app-secret';
const sign = (userId: string): string => createHmac('sha256', SECRET).update(userId, 'utf8').digest('hex');

let eventCounter = 0;
function event(
  eventName: 'SignIn' | 'SignOut' | 'UserInfo' | 'AddToCart',
  data: Record<string, unknown> = {},
  pageID = 'PAGE0000000000000000000000000001',
): ValidEvent {
  eventCounter += 1;
  return {
    eventType: eventName === 'AddToCart' ? 'BUSINESS' : 'SYSTEM',
    eventName,
    eventID: `EVENT${String(eventCounter).padStart(27, '0')}`,
    pageID,
    visitID: VISIT,
    globalVisitID: 'GVID00000000000000000000000000001',
    timestamp: T0,
    url: 'https://shop.example.com/',
    languageCode: null,
    data,
    seq: null,
  };
}
const signIn = (userId: string, extra: Record<string, unknown> = {}): ValidEvent =>
  event('SignIn', { userId, ...extra });
const userInfo = (userId: string, extra: Record<string, unknown> = {}): ValidEvent =>
  event('UserInfo', { userId, ...extra });
const signOut = (extra: Record<string, unknown> = {}): ValidEvent => event('SignOut', extra);

function context(patch: Partial<SessionizeContext> = {}): SessionizeContext {
  return {
    receivedAt: T0,
    userAgent: 'UA',
    hashUserAgent: (ua) => ua,
    verifySignature: (userId, signature) => sign(userId) === signature,
    requireSignature: false,
    visitExpirationMs: 0,
    inactivityMs: 1_800_000,
    categorize: () => '',
    ...patch,
  };
}

type Ok = Extract<SessionizeResult, { ok: true }>;

/** A visit driven through `events` one second apart. */
class Visit {
  state: VisitState | null = null;
  t = 0;
  apply(ev: ValidEvent, patch: Partial<SessionizeContext> = {}): SessionizeResult {
    const result = sessionize(
      this.state,
      ev,
      undefined,
      context({ receivedAt: T0 + this.t * 1000, ...patch }),
    );
    this.t += 1;
    if (result.ok) this.state = result.state;
    return result;
  }
  ok(ev: ValidEvent, patch: Partial<SessionizeContext> = {}): Ok {
    const result = this.apply(ev, patch);
    if (!result.ok) throw new Error(`expected success, got ${result.code}`);
    return result;
  }
  /** `Authenticated:u` / `Recognized:u` / `Anonymous`. */
  get current(): string {
    const current = this.state?.current;
    return current ? `${current.scope}:${current.identityId}` : 'Anonymous';
  }
  /** Every association of the visit as `scope:identityId`, sorted. */
  get associations(): string[] {
    return [...(this.state?.associations.values() ?? [])].map((a) => `${a.scope}:${a.identityId}`).sort();
  }
}

const unverified = (identityId: string): { identityId: string; verified: boolean } => ({
  identityId,
  verified: false,
});

describe('§14 identity table', () => {
  it('Anonymous + SignIn(u) → Authenticated as u, u associated', () => {
    const visit = new Visit();
    visit.ok(event('AddToCart'));
    const result = visit.ok(signIn('u'));
    expect(visit.current).toBe('Authenticated:u');
    expect(result.writes.associations).toEqual([
      { ...unverified('u'), scope: 'Authenticated', associatedAt: T0 + 1000, visitId: VISIT },
    ]);
    expect(result.writes.identities).toEqual([{ ...unverified('u'), attributes: {}, seenAt: T0 + 1000 }]);
  });

  it('Anonymous + UserInfo(u) → Recognized as u', () => {
    const visit = new Visit();
    const result = visit.ok(userInfo('u'));
    expect(visit.current).toBe('Recognized:u');
    expect(result.writes.associations).toMatchObject([
      { identityId: 'u', scope: 'Recognized', visitId: VISIT },
    ]);
  });

  it('Authenticated u + SignOut → Recognized u, association scope Recognized', () => {
    const visit = new Visit();
    visit.ok(signIn('u'));
    const result = visit.ok(signOut());
    expect(visit.current).toBe('Recognized:u');
    expect(visit.associations).toEqual(['Recognized:u']);
    expect(result.writes.associations).toEqual([
      { ...unverified('u'), scope: 'Recognized', associatedAt: T0, visitId: VISIT },
    ]);
  });

  it('SignOut otherwise changes nothing (Anonymous, Recognized)', () => {
    const anonymous = new Visit();
    const first = anonymous.ok(signOut());
    expect(anonymous.current).toBe('Anonymous');
    expect(first.writes.associations).toEqual([]);
    expect(first.writes.identities).toEqual([]);

    const recognized = new Visit();
    recognized.ok(userInfo('u'));
    const result = recognized.ok(signOut());
    expect(recognized.current).toBe('Recognized:u');
    expect(result.writes.associations).toEqual([]);
  });

  it('Recognized u + SignIn(v) → Authenticated as v; u stays associated as Recognized', () => {
    const visit = new Visit();
    visit.ok(userInfo('u'));
    const result = visit.ok(signIn('v'));
    expect(visit.current).toBe('Authenticated:v');
    expect(visit.associations).toEqual(['Authenticated:v', 'Recognized:u']);
    expect(result.writes.associations).toMatchObject([{ identityId: 'v', scope: 'Authenticated' }]);
  });

  it('Recognized u + SignIn(u) → Authenticated as u', () => {
    const visit = new Visit();
    visit.ok(userInfo('u'));
    visit.ok(signIn('u'));
    expect(visit.current).toBe('Authenticated:u');
    expect(visit.associations).toEqual(['Authenticated:u']);
  });

  it('Recognized u + UserInfo(v) → Recognized as v; u stays associated as Recognized', () => {
    const visit = new Visit();
    visit.ok(userInfo('u'));
    visit.ok(userInfo('v'));
    expect(visit.current).toBe('Recognized:v');
    expect(visit.associations).toEqual(['Recognized:u', 'Recognized:v']);
  });

  it('Recognized u (after SignOut) + SignIn(v) → Authenticated as v; u stays Recognized', () => {
    const visit = new Visit();
    visit.ok(signIn('u'));
    visit.ok(signOut());
    visit.ok(signIn('v'));
    expect(visit.current).toBe('Authenticated:v');
    expect(visit.associations).toEqual(['Authenticated:v', 'Recognized:u']);
  });

  it('Authenticated u + SignIn(v ≠ u) → Authenticated as v; u becomes Recognized', () => {
    const visit = new Visit();
    visit.ok(signIn('u'));
    const result = visit.ok(signIn('v'));
    expect(visit.current).toBe('Authenticated:v');
    expect(visit.associations).toEqual(['Authenticated:v', 'Recognized:u']);
    expect(result.writes.associations).toEqual([
      { ...unverified('u'), scope: 'Recognized', associatedAt: T0, visitId: VISIT },
      { ...unverified('v'), scope: 'Authenticated', associatedAt: T0 + 1000, visitId: VISIT },
    ]);
  });

  it.each([
    ['SignIn', signIn],
    ['UserInfo', userInfo],
  ])('Authenticated u + %s(u) → no state change, attributes updated', (_name, make) => {
    const visit = new Visit();
    visit.ok(signIn('u', { firstName: 'Jane' }));
    const result = visit.ok(make('u', { firstName: 'Janet', tier: 'gold' }));
    expect(visit.current).toBe('Authenticated:u');
    expect(visit.associations).toEqual(['Authenticated:u']);
    expect(result.writes.associations).toEqual([]);
    expect(result.writes.identities).toEqual([
      { ...unverified('u'), firstName: 'Janet', attributes: { tier: 'gold' }, seenAt: T0 + 1000 },
    ]);
  });

  it('Authenticated u + UserInfo(v ≠ u) → no state change; v associated as Recognized', () => {
    const visit = new Visit();
    visit.ok(signIn('u'));
    const result = visit.ok(userInfo('v', { lastName: 'Roe' }));
    expect(visit.current).toBe('Authenticated:u');
    expect(visit.associations).toEqual(['Authenticated:u', 'Recognized:v']);
    expect(result.writes.associations).toMatchObject([{ identityId: 'v', scope: 'Recognized' }]);
    expect(result.writes.identities).toMatchObject([{ identityId: 'v', lastName: 'Roe' }]);
  });

  it('identityId is the trimmed userId and case-sensitive', () => {
    const visit = new Visit();
    visit.ok(signIn('  Jane@Example.com '));
    visit.ok(signIn('jane@example.com'));
    expect(visit.current).toBe('Authenticated:jane@example.com');
    expect(visit.associations).toEqual(['Authenticated:jane@example.com', 'Recognized:Jane@Example.com']);
  });

  it('a BUSINESS event named SignIn is not an identity event', () => {
    const visit = new Visit();
    const result = visit.ok({ ...signIn('u'), eventType: 'BUSINESS' });
    expect(visit.current).toBe('Anonymous');
    expect(result.writes.identities).toEqual([]);
  });
});

describe('§14 identity attributes', () => {
  it('splits columns from attributes, leaving out userId and userIdSignature', () => {
    const visit = new Visit();
    const data = {
      firstName: 'Jane',
      lastName: 'Doe',
      emailAddress: 'jane@example.com',
      phoneNumber: '+1 555 0100',
      location: 'Paris',
      userIdSignature: sign('jane'),
      tier: 'gold',
      points: 12,
      vip: true,
      prefs: { lang: 'fr' },
    };
    const result = visit.ok(signIn('jane', data));
    expect(result.writes.identities).toEqual([
      {
        identityId: 'jane',
        verified: true,
        firstName: 'Jane',
        lastName: 'Doe',
        emailAddress: 'jane@example.com',
        phoneNumber: '+1 555 0100',
        location: 'Paris',
        attributes: { tier: 'gold', points: 12, vip: true, prefs: { lang: 'fr' } },
        seenAt: T0,
      },
    ]);
  });

  it('writes only the keys the latest event sends, so the latest event wins key by key', () => {
    const visit = new Visit();
    visit.ok(signIn('u', { firstName: 'Jane', lastName: 'Doe', tier: 'gold', points: 1 }));
    const result = visit.ok(userInfo('u', { lastName: 'Roe', points: 2 }));
    const [write] = result.writes.identities;
    expect(write).toEqual({
      ...unverified('u'),
      lastName: 'Roe',
      attributes: { points: 2 },
      seenAt: T0 + 1000,
    });
    expect(write && 'firstName' in write).toBe(false);
  });

  it('SignOut updates the attributes of the identity it signs out', () => {
    const visit = new Visit();
    visit.ok(signIn('u'));
    const result = visit.ok(signOut({ reason: 'timeout', userId: 'u' }));
    expect(result.writes.identities).toEqual([
      { ...unverified('u'), attributes: { reason: 'timeout' }, seenAt: T0 + 1000 },
    ]);
  });
});

describe('§14 verification', () => {
  it('a correct signature gives a verified identity', () => {
    const visit = new Visit();
    const result = visit.ok(signIn('jane', { userIdSignature: sign('jane') }));
    expect(result.writes.identities[0]?.verified).toBe(true);
    expect(visit.state?.current).toMatchObject({
      identityId: 'jane',
      verified: true,
      scope: 'Authenticated',
    });
  });

  it('verifies the trimmed userId', () => {
    const visit = new Visit();
    const result = visit.ok(userInfo(' jane ', { userIdSignature: sign('jane') }));
    expect(result.writes.identities[0]).toMatchObject({ identityId: 'jane', verified: true });
  });

  it.each(['SignIn', 'UserInfo'] as const)('a wrong signature rejects %s with invalidSignature', (name) => {
    const visit = new Visit();
    for (const userIdSignature of [sign('john'), sign('jane').slice(1), 'zz']) {
      const result = visit.apply(event(name, { userId: 'jane', userIdSignature }));
      expect(result).toMatchObject({ ok: false, code: 'invalidSignature' });
      expect(!result.ok && result.message).toContain('userIdSignature');
    }
    expect(visit.state).toBeNull();
  });

  it('an absent signature gives an unverified identity', () => {
    const visit = new Visit();
    const result = visit.ok(signIn('jane'));
    expect(result.writes.identities[0]).toMatchObject({ identityId: 'jane', verified: false });
  });

  it('an absent signature is rejected with invalidSignature when requireSignature is set', () => {
    const visit = new Visit();
    expect(visit.apply(signIn('jane'), { requireSignature: true })).toMatchObject({
      ok: false,
      code: 'invalidSignature',
    });
    expect(visit.apply(userInfo('jane', { userIdSignature: '' }), { requireSignature: true })).toMatchObject({
      ok: false,
      code: 'invalidSignature',
    });
    expect(
      visit.ok(signIn('jane', { userIdSignature: sign('jane') }), { requireSignature: true }).writes
        .identities[0]?.verified,
    ).toBe(true);
    // SignOut names no identity to verify.
    expect(visit.apply(signOut(), { requireSignature: true }).ok).toBe(true);
  });

  it('without an application secret a signature cannot verify: unverified, or rejected when required', () => {
    const noSecret = { verifySignature: () => null };
    const visit = new Visit();
    expect(
      visit.ok(signIn('jane', { userIdSignature: sign('jane') }), noSecret).writes.identities[0]?.verified,
    ).toBe(false);
    expect(
      visit.apply(signIn('jane', { userIdSignature: sign('jane') }), { ...noSecret, requireSignature: true }),
    ).toMatchObject({
      ok: false,
      code: 'invalidSignature',
    });
  });

  it('verified and unverified identities with the same id are distinct associations', () => {
    const visit = new Visit();
    visit.ok(signIn('jane'));
    const result = visit.ok(signIn('jane', { userIdSignature: sign('jane') }));
    expect(visit.state?.current).toMatchObject({
      identityId: 'jane',
      verified: true,
      scope: 'Authenticated',
    });
    const associations = [...(visit.state?.associations.values() ?? [])];
    expect(associations).toHaveLength(2);
    expect(associations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ identityId: 'jane', verified: false, scope: 'Recognized' }),
        expect.objectContaining({ identityId: 'jane', verified: true, scope: 'Authenticated' }),
      ]),
    );
    expect(result.writes.identities).toEqual([
      { identityId: 'jane', verified: true, attributes: {}, seenAt: T0 + 1000 },
    ]);
  });
});

describe('page.identityId', () => {
  it('is the Authenticated identity at page start', () => {
    const visit = new Visit();
    const p = (n: number): string => `PAGE${String(n).padStart(28, '0')}`;
    expect(visit.ok(event('AddToCart', {}, p(1))).writes.page.identityId).toBeNull();
    // Signing in on a page does not change that page.
    expect(visit.ok(event('SignIn', { userId: 'u' }, p(1))).writes.page.identityId).toBeNull();
    expect(visit.ok(event('AddToCart', {}, p(2))).writes.page.identityId).toBe('u');
    visit.ok(event('SignIn', { userId: 'v' }, p(2)));
    expect(visit.ok(event('AddToCart', {}, p(2))).writes.page.identityId).toBe('u');
    expect(visit.ok(event('AddToCart', {}, p(3))).writes.page.identityId).toBe('v');
    // Recognized is not Authenticated.
    visit.ok(event('SignOut', {}, p(3)));
    expect(visit.ok(event('AddToCart', {}, p(4))).writes.page.identityId).toBeNull();
    visit.ok(event('UserInfo', { userId: 'w' }, p(4)));
    expect(visit.ok(event('AddToCart', {}, p(5))).writes.page.identityId).toBeNull();
  });
});
