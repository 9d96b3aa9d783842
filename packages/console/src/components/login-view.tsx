/** Sign-in form: agent id and password, `POST /server/agent/session`; the same message for every bad credential. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { isBeckonError } from '@beckon/protocol';

export interface LoginViewProps {
  onSignIn(agentId: string, password: string): Promise<void>;
  notice: string | null;
}

/** The sign-in screen. */
export function LoginView({ onSignIn, notice }: LoginViewProps) {
  const [agentId, setAgentId] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(agentId.trim(), password);
    } catch (err) {
      if (isBeckonError(err) && err.code === 'unauthorized') setError('Unknown agent or wrong password.');
      else if (isBeckonError(err) && err.code === 'rateLimited')
        setError('Too many attempts. Wait a moment and try again.');
      else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Beckon agent desktop</h1>
        {notice && <p className="notice-inline">{notice}</p>}
        <label>
          Agent ID
          <input
            name="agentId"
            autoComplete="username"
            autoFocus
            required
            value={agentId}
            onChange={(e) => setAgentId(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !agentId || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
