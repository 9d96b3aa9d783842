/**
 * The desktop layout: status bar on top; invitations, chats and callbacks on the left; the selected conversation
 * in the middle; its live visitor panel on the right. Signed-out agents see the sign-in form.
 */
import { useState } from 'react';
import { useDesktop } from './use-desktop.js';
import { LoginView } from './components/login-view.js';
import { StatusBar } from './components/status-bar.js';
import { InviteList } from './components/invite-list.js';
import { InteractionList } from './components/interaction-list.js';
import { ChatPanel } from './components/chat-panel.js';
import { CallbackPanel } from './components/callback-panel.js';
import { VisitorPanel } from './components/visitor-panel.js';
import type { InteractionView } from './state/desktop-state.js';

/** The agent desktop. */
export function App() {
  const { state, now, signedIn, actions } = useDesktop();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  if (!signedIn) return <LoginView onSignIn={actions.signIn} notice={state.notice} />;

  const all = state.order.map((id) => state.interactions[id]!);
  const invites = all.filter((v) => v.phase === 'invited');
  const chats = all.filter((v) => v.phase !== 'invited' && v.mediaType === 'chat');
  const callbacks = all.filter((v) => v.phase !== 'invited' && v.mediaType === 'callback');
  const selected = state.selected ? state.interactions[state.selected] : undefined;

  return (
    <div className="desktop">
      <a className="skip-link" href="#conversation">
        Skip to conversation
      </a>
      <StatusBar
        name={state.name}
        agentId={state.agentId}
        agentState={state.agentState}
        reasonCode={state.reasonCode}
        connection={state.connection}
        onLogin={actions.login}
        onReady={actions.ready}
        onNotReady={actions.notReady}
        onSignOut={() => void actions.signOut()}
      />
      {state.notice && (
        <div className="notice" role="alert">
          <span>{state.notice}</span>
          <button type="button" className="link" onClick={actions.clearNotice}>
            Dismiss
          </button>
        </div>
      )}
      <div className="workspace">
        <nav className="sidebar" aria-label="Interactions">
          <InviteList
            invites={invites}
            selected={state.selected}
            now={now}
            onAccept={actions.accept}
            onReject={actions.reject}
            onSelect={actions.select}
          />
          <InteractionList
            title="Chats"
            items={chats}
            selected={state.selected}
            now={now}
            onSelect={actions.select}
          />
          <InteractionList
            title="Callbacks"
            items={callbacks}
            selected={state.selected}
            now={now}
            onSelect={actions.select}
          />
        </nav>
        <main className="conversation-area">
          {selected ? (
            <Conversation
              view={selected}
              now={now}
              actions={actions}
              draft={drafts[selected.interactionId] ?? ''}
              onDraft={(text) => setDrafts((d) => ({ ...d, [selected.interactionId]: text }))}
            />
          ) : (
            <Idle state={state.agentState} />
          )}
        </main>
        {selected ? (
          <VisitorPanel view={selected} journey={state.journeys[selected.interactionId]} now={now} />
        ) : (
          <aside className="visitor-panel" aria-label="Visitor" />
        )}
      </div>
    </div>
  );
}

function Idle({ state }: { state: string }) {
  return (
    <section className="idle" id="conversation" tabIndex={-1}>
      <p>
        {state === 'Ready'
          ? 'Waiting for the next visitor…'
          : 'Set yourself Ready to receive chats and callbacks.'}
      </p>
    </section>
  );
}

function Conversation({
  view,
  now,
  actions,
  draft,
  onDraft,
}: {
  view: InteractionView;
  now: number;
  actions: ReturnType<typeof useDesktop>['actions'];
  draft: string;
  onDraft(text: string): void;
}) {
  const id = view.interactionId;
  if (view.phase === 'invited')
    return (
      <section className="invite-preview" id="conversation" tabIndex={-1}>
        <h2>{view.mediaType === 'chat' ? 'Chat invitation' : 'Callback invitation'}</h2>
        <p>
          Queue {view.queue}
          {view.engagementName ? ` · ${view.engagementName}` : ''}
          {view.phoneNumber ? ` · ${view.phoneNumber}` : ''}
        </p>
        <div className="actions">
          <button type="button" className="primary" onClick={() => actions.accept(id)}>
            Accept
          </button>
          <button type="button" onClick={() => actions.reject(id)}>
            Reject
          </button>
        </div>
      </section>
    );
  if (view.mediaType === 'callback')
    return (
      <CallbackPanel
        key={id}
        view={view}
        onDialled={() => actions.dialled(id)}
        onOutcome={(code, note) => actions.outcome(id, code, note)}
        onClose={() => actions.dismiss(id)}
      />
    );
  return (
    <ChatPanel
      key={id}
      view={view}
      now={now}
      draft={draft}
      onDraft={onDraft}
      onSend={(text) => actions.send(id, text)}
      onRetry={(cid, text) => actions.retry(id, cid, text)}
      onTyping={() => actions.typing(id)}
      onRelease={() => actions.release(id)}
      onClose={() => actions.dismiss(id)}
    />
  );
}
