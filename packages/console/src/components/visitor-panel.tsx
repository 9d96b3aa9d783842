/**
 * The live visitor panel (spec/engagement.md §8) of the selected interaction: identity, current page, page
 * history, business events, categories, rule hits and engagements, previous visits and chats. Everything the
 * visitor or the site supplied is rendered as text; links are made only from http(s) URLs.
 */
import type { ReactNode } from 'react';
import type { IdentityResource } from '@beckon/protocol';
import type { InteractionView, JourneyEntry } from '../state/desktop-state.js';
import { currentPage, visitCategories } from '../state/journey.js';
import type { PageView } from '../state/journey.js';
import { formatClock, formatDateTime, formatDuration } from '../state/format.js';

export interface VisitorPanelProps {
  view: InteractionView;
  journey: JourneyEntry | undefined;
  now: number;
}

/** A link only for http(s) URLs; anything else (e.g. `javascript:`) is shown as plain text. */
export function SafeLink({ url, children }: { url: string; children?: ReactNode }) {
  let safe = false;
  try {
    const u = new URL(url);
    safe = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    safe = false;
  }
  const body = children ?? url;
  return safe ? (
    <a href={url} target="_blank" rel="noopener noreferrer">
      {body}
    </a>
  ) : (
    <span>{body}</span>
  );
}

function Data({ data }: { data: Record<string, unknown> }) {
  if (Object.keys(data).length === 0) return null;
  return <pre className="data">{JSON.stringify(data, null, 2)}</pre>;
}

function Chips({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="chips">
      {names.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="panel-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function pageDuration(p: PageView, now: number): string {
  if (p.durationMs !== null) return formatDuration(p.durationMs);
  if (p.exitedAt !== null) return formatDuration(p.exitedAt - p.enteredAt);
  // The server's arrival time, when known, avoids the visitor's clock skew; never show a negative time.
  return `${formatDuration(Math.max(0, now - (p.receivedAt ?? p.enteredAt)))} (now)`;
}

function identityName(i: IdentityResource): string {
  const full = [i.firstName, i.lastName].filter(Boolean).join(' ');
  return full || i.name || i.emailAddress || i.identityId;
}

function Identity({
  identities,
  registration,
}: {
  identities: IdentityResource[];
  registration: Record<string, unknown> | null;
}) {
  return (
    <Section title="Identity">
      {identities.length === 0 && <p className="muted">Anonymous visitor.</p>}
      {identities.map((i) => (
        <div key={i.identityId} className="identity">
          <p>
            <strong>{identityName(i)}</strong>{' '}
            <span className={`tag ${i.verified ? 'verified' : 'unverified'}`}>
              {i.verified ? 'verified' : 'unverified'}
            </span>{' '}
            <span className="tag">{i.visitScope ?? 'Anonymous'}</span>
          </p>
          <dl className="facts small">
            <dt>Identity</dt>
            <dd className="mono">{i.identityId}</dd>
            {i.emailAddress && (
              <>
                <dt>Email</dt>
                <dd>{i.emailAddress}</dd>
              </>
            )}
            {i.phoneNumber && (
              <>
                <dt>Phone</dt>
                <dd>{i.phoneNumber}</dd>
              </>
            )}
          </dl>
          <Data data={i.attributes ?? {}} />
        </div>
      ))}
      {registration && Object.keys(registration).length > 0 && (
        <>
          <h4>Registration</h4>
          <Data data={registration} />
        </>
      )}
    </Section>
  );
}

/** The visitor panel. */
export function VisitorPanel({ view, journey, now }: VisitorPanelProps) {
  if (!journey) return <aside className="visitor-panel" aria-label="Visitor" />;
  const j = journey.view;
  const page = currentPage(j);
  return (
    <aside className="visitor-panel" aria-label="Visitor" aria-busy={journey.status === 'loading'}>
      <h2 className="visually-hidden">Visitor</h2>
      {journey.status === 'loading' && <p className="muted">Loading the visitor's journey…</p>}
      {journey.status === 'error' && <p className="error">Journey unavailable: {journey.error}</p>}
      <Section title="Current page">
        {page ? (
          <div className="current-page" aria-live="polite">
            <p className="page-title">{page.title || '(untitled)'}</p>
            <p className="url">
              <SafeLink url={page.url} />
            </p>
            {page.categories.length > 0 && <Chips names={page.categories} />}
            <p className="muted">On this page for {pageDuration(page, now)}</p>
          </div>
        ) : (
          <p className="muted">Unknown.</p>
        )}
      </Section>
      <Identity identities={j.identities} registration={view.registration} />
      <Section title="Page history">
        <ol className="history">
          {[...j.pages].reverse().map((p) => (
            <li key={p.pageId}>
              <time>{formatClock(p.enteredAt)}</time> <span className="page-title">{p.title || p.url}</span>{' '}
              <span className="muted">{pageDuration(p, now)}</span>
              <div className="url small">
                <SafeLink url={p.url} />
              </div>
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Business events">
        {j.events.length === 0 && <p className="muted">None.</p>}
        <ol className="events">
          {[...j.events].reverse().map((e) => (
            <li key={e.eventId}>
              <time>{formatClock(e.time)}</time> <strong>{e.name}</strong>
              {e.type === 'SYSTEM' && <span className="tag">system</span>}
              {e.categories.length > 0 && <Chips names={e.categories} />}
              <Data data={e.data} />
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Categories">
        <Chips names={visitCategories(j)} />
      </Section>
      <Section title="Rule hits and engagements">
        {j.ruleHits.length === 0 && j.engagements.length === 0 && <p className="muted">None.</p>}
        <ol className="events">
          {j.ruleHits.map((h) => (
            <li key={h.id}>
              <time>{formatClock(h.time)}</time> <strong>{h.name}</strong>{' '}
              <span className="muted">{h.ruleId}</span>
              {h.engagement && <span className="tag">engagement</span>}
              {h.triggeringEventIds.length > 0 && (
                <div className="small muted">triggered by {h.triggeringEventIds.length} event(s)</div>
              )}
              <Data data={h.data} />
            </li>
          ))}
          {j.engagements.map((g) => (
            <li key={g.engagementId}>
              <time>{formatClock(g.at)}</time> <strong>{g.name || 'Engagement'}</strong>{' '}
              <span className="tag">{g.state}</span>
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Previous visits">
        {j.previousVisits.length === 0 && <p className="muted">First visit.</p>}
        <ol className="visits">
          {j.previousVisits.map((v) => (
            <li key={v.visitId}>
              {formatDateTime(v.startDate)} · {v.pageCount} page{v.pageCount === 1 ? '' : 's'} ·{' '}
              {formatDuration(v.endDate - v.startDate)}
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Previous chats">
        {j.chats.filter((c) => c.interactionId !== view.interactionId).length === 0 && (
          <p className="muted">None.</p>
        )}
        {j.chats
          .filter((c) => c.interactionId !== view.interactionId)
          .map((c) => (
            <details key={c.interactionId} className="transcript">
              <summary>
                {formatDateTime(c.startedAt)} · {c.queue} · {c.messages.length} message
                {c.messages.length === 1 ? '' : 's'}
              </summary>
              <ol>
                {c.messages.map((m) => (
                  <li key={m.id}>
                    <span className="author">{m.from.name ?? m.from.type}:</span>{' '}
                    <span className="text">{m.text}</span>
                  </li>
                ))}
              </ol>
            </details>
          ))}
      </Section>
    </aside>
  );
}
