/** The top bar: who is signed in, the agent state with Ready / NotReady (reason codes), the stream health. */
import { notReadyReasons } from '@beckon/client';
import type { AgentState, StreamStatus } from '@beckon/client';

export interface StatusBarProps {
  name: string | null;
  agentId: string | null;
  agentState: AgentState;
  reasonCode: string | null;
  connection: StreamStatus | 'idle';
  onLogin(): void;
  onReady(): void;
  onNotReady(reasonCode: string): void;
  onSignOut(): void;
}

const stateLabel: Record<AgentState, string> = {
  LoggedOut: 'Logged out',
  NotReady: 'Not ready',
  Ready: 'Ready',
  AfterChatWork: 'After chat work',
};

const connectionLabel: Record<StreamStatus | 'idle', string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Session refused',
  closed: 'Closed',
};

/** Agent status controls. */
export function StatusBar(p: StatusBarProps) {
  const notReadyValue = p.agentState === 'NotReady' ? (p.reasonCode ?? '') : '';
  return (
    <header className="status-bar">
      <div className="brand">Beckon</div>
      <div className="agent" title={p.agentId ?? undefined}>
        {p.name ?? p.agentId}
      </div>
      <div className={`state state-${p.agentState}`} aria-live="polite">
        <span className="dot" aria-hidden="true" />
        {stateLabel[p.agentState]}
        {p.agentState === 'NotReady' && p.reasonCode ? ` · ${p.reasonCode}` : ''}
      </div>
      <div className="state-controls">
        {p.agentState === 'LoggedOut' && (
          <button type="button" className="primary" onClick={p.onLogin}>
            Log in
          </button>
        )}
        <button
          type="button"
          className="ready"
          onClick={p.onReady}
          disabled={p.agentState === 'Ready' || p.agentState === 'LoggedOut'}
        >
          Ready
        </button>
        <label className="not-ready">
          <span className="visually-hidden">Not ready reason</span>
          <select
            value={notReadyValue}
            disabled={p.agentState === 'LoggedOut'}
            onChange={(e) => e.target.value && p.onNotReady(e.target.value)}
          >
            <option value="">Not ready…</option>
            {notReadyReasons.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className={`connection connection-${p.connection}`} role="status">
        {connectionLabel[p.connection]}
      </div>
      <button type="button" className="link" onClick={p.onSignOut}>
        Sign out
      </button>
    </header>
  );
}
