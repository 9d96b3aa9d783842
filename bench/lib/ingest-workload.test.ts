import { describe, it, expect } from 'vitest';
import { sessionize, validateEvent } from '@beckon/core';
import type { SessionizeContext, VisitState } from '@beckon/core';
import { IngestWorkload } from './ingest-workload.js';

const limits = { maxEventBytes: 16384 };
const ctx = (receivedAt: number): SessionizeContext => ({
  receivedAt,
  userAgent: 'bench',
  hashUserAgent: (ua) => ua.slice(0, 8),
  verifySignature: () => null,
  requireSignature: false,
  visitExpirationMs: 86_400_000,
  inactivityMs: 1_800_000,
  categorize: () => '',
});

describe('IngestWorkload', () => {
  it('hands out events with unique eventIDs', () => {
    const workload = new IngestWorkload({ visitors: 50 });
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(workload.next().eventID);
    for (let i = 0; i < 250; i++) for (const e of workload.nextBatch(20)) ids.add(e.eventID);
    expect(ids.size).toBe(10_000);
    expect(workload.produced).toBe(10_000);
  });

  it('produces events that Beckon validates and sessionizes without rejection', () => {
    const workload = new IngestWorkload({ visitors: 20 });
    const visits = new Map<string, VisitState>();
    const owners = new Map<string, string>();
    let now = 1_700_000_000_000;
    for (let i = 0; i < 3000; i++) {
      const raw = i % 2 ? workload.next() : workload.nextBatch(3)[0]!;
      const valid = validateEvent(JSON.parse(JSON.stringify(raw)), limits);
      expect(valid.ok).toBe(true);
      if (!valid.ok) continue;
      const result = sessionize(
        visits.get(valid.event.visitID) ?? null,
        valid.event,
        owners.get(valid.event.pageID),
        ctx((now += 10)),
      );
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      visits.set(result.state.visitId, result.state);
      owners.set(valid.event.pageID, result.state.visitId);
    }
  });

  it('runs whole visits: VisitStarted first, several pages, each page entered before it is exited', () => {
    const workload = new IngestWorkload({ visitors: 1 });
    const events = workload.nextBatch(400);
    const byVisit = new Map<string, typeof events>();
    for (const e of events) byVisit.set(e.visitID, [...(byVisit.get(e.visitID) ?? []), e]);
    expect(byVisit.size).toBeGreaterThan(5);
    for (const visit of [...byVisit.values()].slice(0, -1)) {
      expect(visit[0]!.eventName).toBe('VisitStarted');
      const pages = new Set(visit.map((e) => e.pageID));
      expect(pages.size).toBeGreaterThanOrEqual(2);
      for (const page of pages) {
        const names = visit.filter((e) => e.pageID === page).map((e) => e.eventName);
        expect(names.indexOf('PageEntered')).toBeLessThan(names.indexOf('PageExited'));
      }
    }
  });

  it('is deterministic for a seed', () => {
    const a = new IngestWorkload({ seed: 7 }).nextBatch(30);
    const b = new IngestWorkload({ seed: 7 }).nextBatch(30);
    expect(a).toEqual(b);
  });
});
