/**
 * The `then` part of a rule that fires (spec/rules.md §7, §9): `set fact` updates the visit's facts, `engage` and
 * `emit` build the actionable event. Expressions that throw or return something unusable count as a fault of the
 * rule (§6) and evaluate to `null`; they never stop the other actions.
 */
import type { Channel, Scalar } from './ast.js';
import type { ActionableEvent } from './actionable.js';
import { actionableEventId } from './actionable.js';
import type { CompiledRule } from './compile.js';
import type { Completion } from './components.js';
import type { EvalCtx } from './expr.js';
import type { VisitState } from './visit-state.js';

/** At most this many facts per visit; a new one beyond is skipped (and counted). */
const MAX_FACTS = 32;
/** Longest string a fact keeps; longer ones are cut. */
const MAX_FACT_CHARS = 256;

/** What the actions need from the engine, and the counter they update. */
export interface ActionContext {
  sha256: (text: string) => string;
  /** `routing.defaultQueue.<channel>`, for an `engage` without a queue. */
  queues: Partial<Record<Channel, string>>;
  /** New facts skipped because the visit already had {@link MAX_FACTS}. */
  skippedFacts: number;
}

/** `f(c)`, with `undefined` as `null`; a throw counts as a fault and gives `null`. */
function evaluate(f: (c: EvalCtx) => unknown, c: EvalCtx): unknown {
  try {
    const v = f(c);
    return v === undefined ? null : v;
  } catch {
    c.fault();
    return null;
  }
}

function evalData(data: readonly [string, (c: EvalCtx) => unknown][], c: EvalCtx): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, f] of data) o[k] = evaluate(f, c);
  return o;
}

/**
 * Runs the actions of `rule` for the completion `comp` at time `t` (absolute ms) and returns the actionable event
 * of its `engage` or `emit`, if it has one (a rule has at most one).
 */
export function runActions(
  vs: VisitState,
  rule: CompiledRule,
  comp: Completion,
  c: EvalCtx,
  t: number,
  ax: ActionContext,
): ActionableEvent | null {
  let result: ActionableEvent | null = null;
  for (const a of rule.actions) {
    if (a.do === 'setFact') {
      let v = evaluate(a.value, c);
      if (v !== null && typeof v !== 'boolean' && typeof v !== 'number' && typeof v !== 'string') {
        c.fault();
        continue;
      }
      if (typeof v === 'string' && v.length > MAX_FACT_CHARS) v = v.slice(0, MAX_FACT_CHARS);
      const facts = (vs.facts ??= {});
      if (v === null) delete facts[a.name];
      else if (a.name in facts || Object.keys(facts).length < MAX_FACTS) facts[a.name] = v as Scalar;
      else ax.skippedFacts++;
      continue;
    }
    const ids = comp.ids;
    result = {
      id: actionableEventId(rule.id, vs.visitID, t, ids, ax.sha256),
      name: a.name,
      ruleId: rule.id,
      rulePackage: rule.pkg,
      visitID: vs.visitID,
      globalVisitID: vs.globalVisitID,
      pageID: comp.pageID,
      timestamp: t,
      engagement:
        a.do === 'engage'
          ? {
              channel: a.channel,
              queue: a.queue ?? ax.queues[a.channel] ?? 'default',
              priority: a.priority,
            }
          : null,
      data: evalData(a.data, c),
      triggeringEventIDs: ids.slice(),
      identityId: vs.visitor?.identityId ?? null,
      categories: vs.pgId === null ? [] : vs.pgCats.slice(),
    };
  }
  return result;
}
