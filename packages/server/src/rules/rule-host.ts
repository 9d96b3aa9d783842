/**
 * The rules host (spec/rules.md §1, §2, §8): owns the deployed rule packages and the engine, feeds each visit's
 * events to it one at a time in arrival order, keeps the visits' states (cached in memory, persisted through a
 * `RuleStateStore` together with the actionable events and next deadline of the evaluation point; with a replay
 * source only when `snapshots.ts` says so, and rebuilt by replaying the visit's stored events after the snapshot),
 * and runs one timer wheel for all visits' idle / absence / dwell timers. A new host over the same stores re-arms
 * every pending timer, so a restart neither loses nor repeats a firing.
 */
import type {
  ActionableEvent,
  Channel,
  CompiledPackage,
  CompileResult,
  EngineEvent,
  RuleDiagnostic,
  RulePackage,
  VisitorFacts,
  VisitState,
} from '@beckon/core/rules';
import { compileRules, printRules, RuleEngine } from '@beckon/core/rules';
import * as nodeCrypto from 'node:crypto';
import type { RulePackageStore, RuleStateStore } from './rule-state-store.js';
import { MemoryRulePackageStore } from './rule-state-store.js';
import type { HostClock } from './timer-wheel.js';
import { systemClock, TimerWheel } from './timer-wheel.js';
import { SnapshotPolicy } from './snapshots.js';

/**
 * Lowercase hex SHA-256 of a UTF-8 string through node:crypto, for actionable event ids: the one-shot `hash`
 * (Node ≥ 20.12; about 3× faster than `createHash` on ids' short input), else `createHash`.
 */
export const nodeSha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text, 'utf8').digest('hex');

export interface RuleHostOptions {
  store: RuleStateStore;
  /** Where deployed packages live; default in memory. */
  packageStore?: RulePackageStore;
  clock?: HostClock;
  /** GWE `domainSeparation`; default false. */
  domainSeparation?: boolean;
  /** `routing.defaultQueue.<channel>`. */
  defaultQueues?: Partial<Record<Channel, string>>;
  /** Category names of the application, for deploy warnings. */
  knownCategories?: () => ReadonlySet<string> | undefined;
  /** Called after the actionable events of an evaluation point are committed (publish them on the bus here). */
  onActionable?: (visitId: string, events: readonly ActionableEvent[]) => void;
  /** Called when an evaluation fails (store error); the visit's queue continues. */
  onError?: (error: unknown, visitId: string) => void;
  /** Visit states kept in memory (least recently used beyond are reloaded from the store). Default 100,000. */
  maxCachedVisits?: number;
  /**
   * The visit's stored events after event `afterEventId`, in arrival order (`[]` when that event is not stored).
   * With it the host snapshots a state only when it must (`snapshots.ts`) and replays the rest; without it, it
   * writes the state after every evaluation point.
   */
  eventsAfter?: (visitId: string, afterEventId: string) => Promise<EngineEvent[]>;
}

/** A rejected package: every error, with line/column (text) or JSON Pointer path (AST). */
export class RuleCompileError extends Error {
  readonly code = 'compileError';
  constructor(
    readonly errors: RuleDiagnostic[],
    readonly warnings: RuleDiagnostic[],
  ) {
    super(errors.length === 1 ? '1 error' : `${errors.length} errors`);
  }
}

export interface RulePackageInfo {
  name: string;
  ruleCount: number;
  deployedAt: number;
  active: boolean;
}

interface Deployed {
  compiled: CompiledPackage;
  text: string;
  deployedAt: number;
}

export class RuleHost {
  private readonly engine: RuleEngine;
  private readonly store: RuleStateStore;
  private readonly packageStore: RulePackageStore;
  private readonly clock: HostClock;
  private readonly wheel: TimerWheel;
  private readonly deployed = new Map<string, Deployed>();
  private readonly cache = new Map<string, VisitState>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly maxCached: number;
  private readonly snapshots: SnapshotPolicy;

  constructor(private readonly opts: RuleHostOptions) {
    this.snapshots = new SnapshotPolicy(opts.eventsAfter !== undefined);
    this.store = opts.store;
    this.packageStore = opts.packageStore ?? new MemoryRulePackageStore();
    this.clock = opts.clock ?? systemClock;
    this.maxCached = opts.maxCachedVisits ?? 100_000;
    this.engine = new RuleEngine({
      domainSeparation: opts.domainSeparation ?? false,
      defaultQueues: opts.defaultQueues,
      sha256: nodeSha256Hex,
    });
    this.wheel = new TimerWheel(this.clock, (ids, now) => {
      for (const id of ids) void this.fire(id, now);
    });
  }

  /** Loads the deployed packages and re-arms every pending timer (after a restart or a takeover). */
  async start(): Promise<void> {
    for (const p of await this.packageStore.list()) {
      const r = compileRules(p.source, { knownCategories: this.opts.knownCategories?.() });
      if (r.ok && r.compiled)
        this.deployed.set(p.name, { compiled: r.compiled, text: p.source, deployedAt: p.deployedAt });
    }
    this.reload();
    for (const due of await this.store.dueBefore(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      this.wheel.add(due.visitId, due.deadline);
    }
  }

  /** Stops the timer; pending evaluations finish. */
  stop(): void {
    this.wheel.stop();
  }

  /** Validates without deploying (`POST /server/data/rules/compile`). */
  compile(source: string | unknown): CompileResult {
    return compileRules(source, { knownCategories: this.opts.knownCategories?.() });
  }

  /**
   * Deploys or replaces package `name` from text or AST (`PUT /server/data/rules/packages/{name}`); active from
   * each visit's next evaluation point. Throws {@link RuleCompileError}.
   */
  async deploy(name: string, source: string | unknown): Promise<{ warnings: RuleDiagnostic[] }> {
    const r = this.compile(source);
    if (!r.ok || !r.compiled || !r.ast) throw new RuleCompileError(r.errors, r.warnings);
    if (r.ast.package !== name) {
      throw new RuleCompileError(
        [{ path: '/package', message: `package '${r.ast.package}' does not match '${name}'` }],
        r.warnings,
      );
    }
    const warnings = [...r.warnings];
    if (!this.engine.isPackageActive(name)) {
      warnings.push({
        message: `package '${name}' is deployed but inactive: domainSeparation is off, only 'default' applies`,
      });
    }
    const text = printRules(r.ast);
    const deployedAt = this.clock.now();
    await this.packageStore.put({ name, source: text, deployedAt });
    await this.flush();
    this.deployed.set(name, { compiled: r.compiled, text, deployedAt });
    this.reload();
    return { warnings };
  }

  /** Deletes a package (`DELETE …/packages/{name}`); its rules' state is dropped at each visit's next evaluation. */
  async remove(name: string): Promise<boolean> {
    if (!this.deployed.has(name)) return false;
    await this.packageStore.delete(name);
    await this.flush();
    this.deployed.delete(name);
    this.reload();
    return true;
  }

  /** `GET …/packages`. */
  list(): RulePackageInfo[] {
    return [...this.deployed.entries()]
      .map(([name, d]) => ({
        name,
        ruleCount: d.compiled.rules.length,
        deployedAt: d.deployedAt,
        active: this.engine.isPackageActive(name),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** `GET …/packages/{name}`: canonical text and AST. */
  get(name: string): { name: string; text: string; ast: RulePackage; deployedAt: number } | null {
    const d = this.deployed.get(name);
    return d ? { name, text: d.text, ast: d.compiled.ast, deployedAt: d.deployedAt } : null;
  }

  /** Feeds stored events (after the durable commit), each visit in order; resolves with the actionable events. */
  async onEvents(
    events: readonly EngineEvent[],
    visitor?: (visitId: string) => VisitorFacts | null,
  ): Promise<ActionableEvent[]> {
    const byVisit = new Map<string, EngineEvent[]>();
    for (const e of events) {
      const list = byVisit.get(e.visitID) ?? [];
      list.push(e);
      byVisit.set(e.visitID, list);
    }
    const results = await Promise.all(
      [...byVisit].map(([visitId, list]) =>
        this.run(visitId, async () => {
          const facts = visitor?.(visitId) ?? null;
          const out: ActionableEvent[] = [];
          const vs = await this.state(visitId, list[0] as EngineEvent, facts, out);
          // a replay started by a timer may already have applied the first of these (stored, not yet evaluated)
          const applied = list.findIndex((e) => e.eventID === vs.li);
          for (const e of applied >= 0 ? list.slice(applied + 1) : list)
            out.push(...this.engine.onEvent(vs, e, facts));
          await this.commit(visitId, vs, out);
          return out;
        }),
      ),
    );
    return results.flat();
  }

  /** One event; see {@link onEvents}. */
  onEvent(event: EngineEvent, visitor?: VisitorFacts | null): Promise<ActionableEvent[]> {
    return this.onEvents([event], visitor ? () => visitor : undefined);
  }

  /** Writes every cached state with evaluation points not written yet (before a rule set changes, at shutdown). */
  async flush(): Promise<void> {
    await Promise.all(
      this.snapshots.dirty().map((visitId) =>
        this.run(visitId, async () => {
          const vs = this.cache.get(visitId);
          if (vs) await this.commit(visitId, vs, [], true);
        }),
      ),
    );
  }

  /** The visit ended: its state, facts and refraction records are dropped. */
  async endVisit(visitId: string): Promise<void> {
    await this.run(visitId, async () => {
      this.cache.delete(visitId);
      this.snapshots.forget(visitId);
      await this.store.delete(visitId);
    });
  }

  /** Resolves when every queued evaluation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  // ---- internals ----

  private reload(): void {
    this.engine.setPackages([...this.deployed.values()].map((d) => d.compiled));
  }

  /** Runs `fn` after every earlier evaluation of the same visit. */
  private run<T>(visitId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(visitId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch((e: unknown) => this.opts.onError?.(e, visitId));
    this.queues.set(visitId, tail);
    void tail.then(() => {
      if (this.queues.get(visitId) === tail) this.queues.delete(visitId);
    });
    return next;
  }

  /**
   * The visit's state: cached, or loaded and brought up to date by replaying its stored events after the snapshot
   * (up to `first`, the event about to be evaluated; what the replay fires goes to `out`). A visit without a
   * snapshot was never evaluated, since its first evaluation point is always written.
   */
  private async state(
    visitId: string,
    first?: EngineEvent,
    facts: VisitorFacts | null = null,
    out: ActionableEvent[] = [],
  ): Promise<VisitState> {
    let vs = this.cache.get(visitId);
    if (vs) {
      this.cache.delete(visitId);
    } else {
      const json = await this.store.load(visitId);
      if (json === null) vs = this.engine.newVisit(visitId, first?.globalVisitID ?? visitId);
      else {
        vs = this.engine.restore(json);
        if (this.opts.eventsAfter && vs.n > 0) {
          for (const e of await this.opts.eventsAfter(visitId, vs.li)) {
            if (e.eventID === first?.eventID) break;
            out.push(...this.engine.onEvent(vs, e, facts));
          }
        }
      }
      this.snapshots.forget(visitId); // its persisted deadline is not known here: the next evaluation point writes
    }
    this.cache.set(visitId, vs);
    if (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) {
        this.cache.delete(oldest);
        this.snapshots.forget(oldest); // what it has not written is replayed when it is loaded again
      }
    }
    return vs;
  }

  /** Ends an evaluation point: writes it when it must (or `force`), re-arms the timer, publishes what fired. */
  private async commit(
    visitId: string,
    vs: VisitState,
    out: ActionableEvent[],
    force = false,
  ): Promise<void> {
    const next = this.engine.nextDeadline(vs);
    if (force || this.snapshots.mustSave(visitId, next, out.length)) {
      await this.store.save(visitId, {
        state: this.engine.serialize(vs),
        nextDeadline: next,
        actionable: out,
      });
      this.snapshots.saved(visitId, next);
    } else this.snapshots.skipped(visitId);
    if (next !== null) this.wheel.add(visitId, next);
    if (out.length > 0) this.opts.onActionable?.(visitId, out);
  }

  private fire(visitId: string, now: number): Promise<void> {
    return this.run(visitId, async () => {
      const cached = this.cache.has(visitId);
      if (!cached && (await this.store.load(visitId)) === null) return;
      const out: ActionableEvent[] = [];
      const vs = await this.state(visitId, undefined, null, out);
      const next = this.engine.nextDeadline(vs);
      if (next === null || next > now) {
        // nothing due (an early wake-up from a persisted deadline that moved later): write only what a replay
        // fired, or a persisted deadline that no longer holds
        if (out.length > 0 || this.snapshots.deadline(visitId) !== next)
          await this.commit(visitId, vs, out, true);
        else if (next !== null) this.wheel.add(visitId, next);
        return;
      }
      out.push(...this.engine.fireTimers(vs, now));
      await this.commit(visitId, vs, out);
    });
  }
}
