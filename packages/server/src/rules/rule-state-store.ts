/**
 * Persistence ports of the rules host (spec/rules.md §8.10–8.12). The host saves a visit's rule state, its next
 * timer deadline and the actionable events of that evaluation point in one call, so an adapter can commit them in
 * one transaction and a restart can never fire a rule twice. Deployed packages are kept behind their own port.
 * The in-memory adapters below serve tests and the single-process default; SQLite/PostgreSQL adapters implement
 * the same interfaces.
 */
import type { ActionableEvent } from '@beckon/core/rules';

/** What is committed after one evaluation point of a visit. */
export interface RuleStateRecord {
  /** Compact JSON from `RuleEngine.serialize`. */
  state: string;
  /** Next timer deadline (ms), `null` when none. */
  nextDeadline: number | null;
  /** Actionable events of this evaluation point, to store with the visit (History API `/actionable`). */
  actionable: readonly ActionableEvent[];
}

export interface DueVisit {
  visitId: string;
  deadline: number;
}

/** Durable per-visit rule state. */
export interface RuleStateStore {
  load(visitId: string): Promise<string | null>;
  /** Commits state, deadline and actionable events together. */
  save(visitId: string, record: RuleStateRecord): Promise<void>;
  /** Drops the state of an ended visit. */
  delete(visitId: string): Promise<void>;
  /** Visits whose deadline is at or before `t`, earliest first, at most `limit`. */
  dueBefore(t: number, limit?: number): Promise<DueVisit[]>;
}

/** A deployed package as persisted: its canonical text. */
export interface StoredRulePackage {
  name: string;
  source: string;
  deployedAt: number;
}

export interface RulePackageStore {
  list(): Promise<StoredRulePackage[]>;
  put(pkg: StoredRulePackage): Promise<void>;
  delete(name: string): Promise<void>;
}

/** In-memory {@link RuleStateStore}; also keeps every saved actionable event, for tests and the History API double. */
export class MemoryRuleStateStore implements RuleStateStore {
  readonly states = new Map<string, { state: string; nextDeadline: number | null }>();
  readonly actionable: ActionableEvent[] = [];

  async load(visitId: string): Promise<string | null> {
    return this.states.get(visitId)?.state ?? null;
  }

  async save(visitId: string, record: RuleStateRecord): Promise<void> {
    this.states.set(visitId, { state: record.state, nextDeadline: record.nextDeadline });
    for (const a of record.actionable)
      if (!this.actionable.some((x) => x.id === a.id)) this.actionable.push(a);
  }

  async delete(visitId: string): Promise<void> {
    this.states.delete(visitId);
  }

  async dueBefore(t: number, limit = 1000): Promise<DueVisit[]> {
    const due: DueVisit[] = [];
    for (const [visitId, s] of this.states)
      if (s.nextDeadline !== null && s.nextDeadline <= t) due.push({ visitId, deadline: s.nextDeadline });
    return due.sort((a, b) => a.deadline - b.deadline).slice(0, limit);
  }
}

/** In-memory {@link RulePackageStore}. */
export class MemoryRulePackageStore implements RulePackageStore {
  readonly packages = new Map<string, StoredRulePackage>();

  async list(): Promise<StoredRulePackage[]> {
    return [...this.packages.values()];
  }

  async put(pkg: StoredRulePackage): Promise<void> {
    this.packages.set(pkg.name, pkg);
  }

  async delete(name: string): Promise<void> {
    this.packages.delete(name);
  }
}
