/**
 * The live routing state of this node (spec §5): logged-in agents with their status, seats and timers, and the
 * interactions waiting for an agent. Decisions come from the pure policy in `@beckon/core/routing`; this service
 * applies them — sends `EventInvite`, reserves the seat, arms the 15 s invite timeout, handles accept / reject /
 * revoke, after-chat work and the disconnect grace period — and re-routes after every change that can free or
 * need a seat. What an interaction *is* (chat, callback, visitor frames) stays with the interaction service,
 * reached through {@link RoutingHooks}.
 */
import { initialAgentStatus, route, transitionAgent } from '@beckon/core/routing';
import type {
  AgentCommand,
  AgentStatus,
  QueueDef,
  RoutingAgent,
  WaitingInteraction,
} from '@beckon/core/routing';
import type { InviteUserData } from '@beckon/protocol';
import type { AgentStreamHub } from './agent-stream.js';
import { eligibleQueues, toRoutingAgent } from './routing-view.js';
import type { LiveAgent } from './routing-view.js';
import { wrongState } from './errors.js';
import type { Scheduler } from './scheduler.js';
import type { AgentRecord } from './types.js';

/** What routing needs from the owner of interactions. */
export interface RoutingHooks {
  /** `UserData` of the `EventInvite` for an interaction; `null` when it is no longer live. */
  userData(interactionId: string): InviteUserData | null;
  /** The agent was logged out while connected to the interaction: re-queue it (spec §5 rule 5). */
  agentLost(interactionId: string, agentId: string): void;
  /** Waiting interactions or agents changed (queue positions may have moved). */
  changed(): void;
  /** Interactions of an agent, for `EventResync` and `GET /me`. */
  interactionsOf(agentId: string): unknown[];
}

export interface RoutingServiceOptions {
  now: () => number;
  scheduler: Scheduler;
  stream: AgentStreamHub;
  inviteTimeoutSec: number;
  disconnectGraceSec: number;
  exclusionSec: number;
  /** Called on every change of agent availability (bus topic `agents.changed`). */
  onAgentsChanged?: () => void;
}

export type { LiveAgent } from './routing-view.js';

export class RoutingService {
  readonly agents = new Map<string, LiveAgent>();
  readonly waiting = new Map<string, WaitingInteraction>();
  queues: ReadonlyMap<string, QueueDef> = new Map();
  hooks: RoutingHooks = {
    userData: () => null,
    agentLost: () => undefined,
    changed: () => undefined,
    interactionsOf: () => [],
  };
  readonly #o: RoutingServiceOptions;
  #routing = false;
  #again = false;

  constructor(options: RoutingServiceOptions) {
    this.#o = options;
  }

  /** The live agent, or a fresh LoggedOut one (not registered) when it is not logged in. */
  status(agentId: string): AgentStatus {
    return this.agents.get(agentId)?.status ?? initialAgentStatus(this.#o.now());
  }

  /** Replaces the queue definitions (configuration change) and re-routes. */
  setQueues(queues: ReadonlyMap<string, QueueDef>): void {
    this.queues = queues;
    this.reroute();
  }

  /** Updates a logged-in agent's account (groups, skills, capacity) and re-routes. */
  updateAgent(record: AgentRecord): void {
    const agent = this.agents.get(record.agentId);
    if (!agent) return;
    agent.record = record;
    this.#changed();
  }

  /** `POST /server/agent/login`. */
  login(record: AgentRecord, place: string | null, connected: boolean): void {
    const existing = this.agents.get(record.agentId);
    const status = existing?.status ?? initialAgentStatus(this.#o.now());
    const result = transitionAgent(status, { type: 'login' }, this.#o.now());
    if (!result.ok) throw wrongState(result.message);
    const agent: LiveAgent = existing ?? {
      record,
      status,
      place,
      offers: new Map(),
      connected: new Map(),
      cancelAfterChatWork: null,
      cancelGrace: null,
    };
    agent.record = record;
    agent.place = place;
    agent.status = result.status;
    this.agents.set(record.agentId, agent);
    for (const draft of result.events) {
      const extra =
        draft.Event === 'EventAgentLogin'
          ? { Place: place, Queues: this.queuesOf(record), Capacity: { ...record.capacity } }
          : {};
      this.#o.stream.emit(record.agentId, { ...draft, ...extra });
    }
    if (!connected) this.presence(record.agentId, false);
    this.#changed();
  }

  /** Names of the queues the agent is eligible for on some channel. */
  queuesOf(record: AgentRecord): string[] {
    return eligibleQueues(record, this.queues);
  }

  /** Applies an agent command (ready, notReady, ...) or throws 409 wrongState. */
  command(agentId: string, command: AgentCommand): void {
    const agent = this.agents.get(agentId);
    if (!agent) throw wrongState('the agent is not logged in');
    const result = transitionAgent(agent.status, command, this.#o.now());
    if (!result.ok) throw wrongState(result.message);
    agent.status = result.status;
    for (const draft of result.events) this.#o.stream.emit(agentId, { ...draft });
    if (result.status.state !== 'AfterChatWork' && agent.cancelAfterChatWork) {
      agent.cancelAfterChatWork();
      agent.cancelAfterChatWork = null;
    }
    this.#changed();
  }

  /**
   * `POST /server/agent/logout`, or a forced logout (`disconnected`, `supervisor`): pending invitations are
   * revoked and connected interactions re-queued first. Refused for `agent` while interactions are connected.
   */
  logout(agentId: string, reason: 'agent' | 'disconnected' | 'supervisor'): void {
    const agent = this.agents.get(agentId);
    if (!agent) throw wrongState('the agent is not logged in');
    const result = transitionAgent(
      agent.status,
      { type: 'logout', reason, activeInteractions: reason === 'agent' ? agent.connected.size : 0 },
      this.#o.now(),
    );
    if (!result.ok) throw wrongState(result.message);
    // Out of routing first, so nothing re-queued below is offered back to this agent.
    this.agents.delete(agentId);
    agent.cancelGrace?.();
    agent.cancelAfterChatWork?.();
    for (const [interactionId, offer] of agent.offers) {
      offer.cancel();
      const entry = this.waiting.get(interactionId);
      if (entry) entry.offeredTo = null;
      this.#o.stream.emit(agentId, {
        Event: 'EventRevoked',
        InteractionID: interactionId,
        Reason: 'requeued',
      });
    }
    agent.offers.clear();
    const lost = [...agent.connected.keys()];
    agent.connected.clear();
    for (const interactionId of lost) this.hooks.agentLost(interactionId, agentId);
    agent.status = result.status;
    for (const draft of result.events) this.#o.stream.emit(agentId, { ...draft });
    this.#changed();
  }

  /** The desktop stream of an agent opened or closed: closing arms the grace period (spec §5 rule 5). */
  presence(agentId: string, connected: boolean): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.cancelGrace?.();
    agent.cancelGrace = null;
    if (connected) return;
    agent.cancelGrace = this.#o.scheduler.at(this.#o.now() + this.#o.disconnectGraceSec * 1000, () => {
      agent.cancelGrace = null;
      if (this.agents.get(agentId) === agent) this.logout(agentId, 'disconnected');
    });
  }

  /** Puts an interaction in its queue (or back, keeping `enqueuedAt`) and routes. */
  enqueue(entry: Omit<WaitingInteraction, 'offeredTo' | 'excluded'>): void {
    this.waiting.set(entry.interactionId, { ...entry, offeredTo: null, excluded: {} });
    this.reroute();
  }

  /** Takes an interaction out of the queue; an open invitation is revoked with `reason`. */
  withdraw(interactionId: string, reason: 'visitorLeft' | 'requeued' | 'timeout'): void {
    const entry = this.waiting.get(interactionId);
    if (!entry) return;
    if (entry.offeredTo !== null) this.#revoke(interactionId, reason, false);
    this.waiting.delete(interactionId);
    this.reroute();
  }

  /** The agent accepts its invitation; the seat stays taken. Returns the queue entry. */
  accept(agentId: string, interactionId: string): WaitingInteraction {
    const entry = this.#offerOf(agentId, interactionId);
    const agent = this.agents.get(agentId)!;
    const offer = agent.offers.get(interactionId)!;
    offer.cancel();
    agent.offers.delete(interactionId);
    agent.connected.set(interactionId, offer.channel);
    this.waiting.delete(interactionId);
    this.#changed();
    return entry;
  }

  /** The agent rejects: `EventRejected`, the interaction goes back, the agent is excluded for it. */
  reject(agentId: string, interactionId: string): void {
    this.#offerOf(agentId, interactionId);
    this.#o.stream.emit(agentId, { Event: 'EventRejected', InteractionID: interactionId });
    this.#unoffer(interactionId, true);
    this.reroute();
  }

  /** Whether `interactionId` is offered to or connected with `agentId`. */
  involves(agentId: string, interactionId: string): 'offered' | 'connected' | null {
    const agent = this.agents.get(agentId);
    if (agent?.connected.has(interactionId)) return 'connected';
    if (agent?.offers.has(interactionId)) return 'offered';
    return null;
  }

  /** The connected interaction ended (or left the agent): frees the seat, after-chat work, re-routes. */
  release(agentId: string, interactionId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent?.connected.delete(interactionId)) return;
    const result = transitionAgent(
      agent.status,
      { type: 'interactionEnded', afterChatWorkSec: agent.record.afterChatWorkSec },
      this.#o.now(),
    );
    if (result.ok) {
      agent.status = result.status;
      for (const draft of result.events) this.#o.stream.emit(agentId, { ...draft });
      if (result.status.state === 'AfterChatWork') {
        agent.cancelAfterChatWork?.();
        agent.cancelAfterChatWork = this.#o.scheduler.at(
          this.#o.now() + agent.record.afterChatWorkSec * 1000,
          () => {
            agent.cancelAfterChatWork = null;
            if (this.agents.get(agentId) === agent && agent.status.state === 'AfterChatWork')
              this.command(agentId, { type: 'afterChatWorkElapsed' });
          },
        );
      }
    }
    this.#changed();
  }

  /** Routing agents as the core policy sees them (logged in only). */
  routingAgents(): RoutingAgent[] {
    return [...this.agents.values()].map(toRoutingAgent);
  }

  /** Runs the policy and sends the invitations it decides; re-entrant calls are folded into one more pass. */
  reroute(): void {
    if (this.#routing) {
      this.#again = true;
      return;
    }
    this.#routing = true;
    try {
      do {
        this.#again = false;
        const now = this.#o.now();
        const assignments = route([...this.waiting.values()], this.routingAgents(), this.queues, now);
        for (const { interactionId, agentId } of assignments) this.#offer(interactionId, agentId);
      } while (this.#again);
    } finally {
      this.#routing = false;
    }
    this.hooks.changed();
  }

  #offer(interactionId: string, agentId: string): void {
    const entry = this.waiting.get(interactionId);
    const agent = this.agents.get(agentId);
    if (!entry || !agent || entry.offeredTo !== null) return;
    const userData = this.hooks.userData(interactionId);
    if (userData === null) {
      // the interaction ended while it waited: nothing to offer; its queue entry goes, and routing runs again so
      // the agent it was meant for can take the next one
      this.waiting.delete(interactionId);
      this.#again = true;
      return;
    }
    entry.offeredTo = agentId;
    const timeoutSec = this.#o.inviteTimeoutSec;
    const cancel = this.#o.scheduler.at(this.#o.now() + timeoutSec * 1000, () => {
      if (entry.offeredTo !== agentId || this.waiting.get(interactionId) !== entry) return;
      this.#revoke(interactionId, 'timeout', true);
      if (this.agents.get(agentId) === agent) this.command(agentId, { type: 'inviteTimedOut' });
      this.reroute();
    });
    agent.offers.set(interactionId, { channel: entry.channel, cancel });
    this.#o.stream.emit(agentId, {
      Event: 'EventInvite',
      InteractionID: interactionId,
      MediaType: entry.channel,
      Queue: entry.queue,
      TimeoutSec: timeoutSec,
      UserData: userData,
    });
  }

  #offerOf(agentId: string, interactionId: string): WaitingInteraction {
    const entry = this.waiting.get(interactionId);
    if (!entry || entry.offeredTo !== agentId || !this.agents.get(agentId)?.offers.has(interactionId))
      throw wrongState(`interaction ${interactionId} is not offered to ${agentId}`);
    return entry;
  }

  /** `EventRevoked` to the invited agent, and the seat is freed. */
  #revoke(interactionId: string, reason: 'timeout' | 'visitorLeft' | 'requeued', exclude: boolean): void {
    const entry = this.waiting.get(interactionId);
    if (!entry || entry.offeredTo === null) return;
    this.#o.stream.emit(entry.offeredTo, {
      Event: 'EventRevoked',
      InteractionID: interactionId,
      Reason: reason,
    });
    this.#unoffer(interactionId, exclude);
  }

  #unoffer(interactionId: string, exclude: boolean): void {
    const entry = this.waiting.get(interactionId);
    if (!entry || entry.offeredTo === null) return;
    const agentId = entry.offeredTo;
    const agent = this.agents.get(agentId);
    agent?.offers.get(interactionId)?.cancel();
    agent?.offers.delete(interactionId);
    entry.offeredTo = null;
    if (exclude && this.#o.exclusionSec > 0) {
      const until = this.#o.now() + this.#o.exclusionSec * 1000;
      entry.excluded[agentId] = until;
      // The exclusion ending may make this agent the only one able to take it.
      this.#o.scheduler.at(until, () => this.reroute());
    }
  }

  #changed(): void {
    this.#o.onAgentsChanged?.();
    this.reroute();
  }
}
