/**
 * The agent event stream (spec §6): every event gets the agent's next `seq` and a `time`, is kept for 15 min
 * (at most 10,000 per agent) and goes to each open desktop socket. A desktop that reconnects with `lastSeq=n`
 * gets every retained event after n, in order, then live ones; if n is older than what is retained (or from
 * before a server restart, or absent) it gets one `EventResync` with a snapshot instead, whose `seq` is the
 * current head, so it can resume from there without gaps or repeats.
 */

/** The minimal socket the hub writes to (a `ws` WebSocket fits). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * Events as sent (Genesys-style name and attributes plus `AgentID`, `seq`, `time`) and as handed to {@link
 * AgentStreamHub.emit}: the wire union of `@beckon/protocol`, which the desktop reads too.
 */
import type { AgentEvent, AgentEventDraft } from '@beckon/protocol';
export type { AgentEvent, AgentEventDraft };

interface AgentChannel {
  head: number;
  retained: AgentEvent[];
  sockets: Set<SocketLike>;
}

export interface AgentStreamOptions {
  now: () => number;
  /** Snapshot for `EventResync`: `{state, reasonCode, interactions[]}`. */
  snapshot: (agentId: string) => unknown;
  /** Called when an agent's first socket opens or last socket closes. */
  onPresence?: (agentId: string, connected: boolean) => void;
  retentionMs?: number;
  maxRetained?: number;
}

export class AgentStreamHub {
  readonly #channels = new Map<string, AgentChannel>();
  readonly #options: Required<Omit<AgentStreamOptions, 'onPresence'>> &
    Pick<AgentStreamOptions, 'onPresence'>;

  constructor(options: AgentStreamOptions) {
    this.#options = { retentionMs: 15 * 60_000, maxRetained: 10_000, ...options };
  }

  #channel(agentId: string): AgentChannel {
    let channel = this.#channels.get(agentId);
    if (!channel) this.#channels.set(agentId, (channel = { head: 0, retained: [], sockets: new Set() }));
    return channel;
  }

  /** Numbers, retains and sends one event; returns it as sent. */
  emit(agentId: string, draft: AgentEventDraft): AgentEvent {
    const channel = this.#channel(agentId);
    const time = this.#options.now();
    const event = { ...draft, AgentID: agentId, seq: ++channel.head, time } as AgentEvent;
    channel.retained.push(event);
    const horizon = time - this.#options.retentionMs;
    let drop = Math.max(0, channel.retained.length - this.#options.maxRetained);
    while (drop < channel.retained.length && channel.retained[drop]!.time < horizon) drop++;
    if (drop > 0) channel.retained.splice(0, drop);
    if (channel.sockets.size > 0) {
      const text = JSON.stringify(event);
      for (const socket of channel.sockets) socket.send(text);
    }
    return event;
  }

  /** Opens a desktop socket: replays after `lastSeq` (or resyncs), then it receives live events. */
  attach(agentId: string, socket: SocketLike, lastSeq: number | null): () => void {
    const channel = this.#channel(agentId);
    const first = channel.retained[0]?.seq ?? channel.head + 1;
    if (lastSeq === null || lastSeq > channel.head || lastSeq < first - 1) {
      socket.send(
        JSON.stringify({
          Event: 'EventResync',
          AgentID: agentId,
          seq: channel.head,
          time: this.#options.now(),
          Snapshot: this.#options.snapshot(agentId),
        }),
      );
    } else {
      for (const event of channel.retained) if (event.seq > lastSeq) socket.send(JSON.stringify(event));
    }
    const wasConnected = channel.sockets.size > 0;
    channel.sockets.add(socket);
    if (!wasConnected) this.#options.onPresence?.(agentId, true);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      channel.sockets.delete(socket);
      if (channel.sockets.size === 0) this.#options.onPresence?.(agentId, false);
    };
  }

  isConnected(agentId: string): boolean {
    return (this.#channels.get(agentId)?.sockets.size ?? 0) > 0;
  }

  /** The current head seq of an agent (0 before any event). */
  head(agentId: string): number {
    return this.#channels.get(agentId)?.head ?? 0;
  }

  /** Closes every socket of every agent (shutdown). */
  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const channel of this.#channels.values())
      for (const socket of [...channel.sockets]) socket.close(code, reason);
  }
}
