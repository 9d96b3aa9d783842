/**
 * Refraction records of a visit (spec/rules.md §8.8): `once per visit` rules as a bit set by rule rank, `cooldown`
 * rules as a flat `[rank, time of last firing, …]` list. Ranks are positions in the visit's rule set, so a reload
 * re-indexes the records by stable rule key; records of rules that no longer exist are dropped.
 */
import type { ActiveRule, RuleSet } from './rule-set.js';
import type { VisitState } from './visit-state.js';

/** Re-indexes refraction records by rank in `rs`; records of rules that no longer exist are dropped. */
export function moveRefraction(vs: VisitState, old: RuleSet | null, rs: RuleSet): void {
  const fired: [string, number][] = [];
  if (vs.keyedFired !== null) fired.push(...Object.entries(vs.keyedFired));
  if (old !== null) {
    if (vs.once) {
      vs.once.forEach((word, w) => {
        for (let b = 0; b < 30; b++) if (word & (1 << b)) fired.push([old.ruleKeys[w * 30 + b] ?? '', 0]);
      });
    }
    if (vs.cool)
      for (let j = 0; j < vs.cool.length; j += 2)
        fired.push([old.ruleKeys[vs.cool[j] as number] ?? '', vs.cool[j + 1] as number]);
  }
  vs.once = null;
  vs.cool = null;
  vs.keyedFired = null;
  for (const [key, t] of fired) {
    const rank = rs.rankByRuleKey.get(key);
    if (rank === undefined) continue;
    if (t === 0) markOnce(vs, rank);
    else (vs.cool ??= []).push(rank, t);
  }
}

function markOnce(vs: VisitState, rank: number): void {
  const once = (vs.once ??= []);
  const w = (rank / 30) | 0;
  while (once.length <= w) once.push(0);
  once[w] = (once[w] as number) | (1 << (rank % 30));
}

export function onceFired(vs: VisitState, rank: number): boolean {
  const once = vs.once;
  return once !== null && ((once[(rank / 30) | 0] ?? 0) & (1 << (rank % 30))) !== 0;
}

/** Time of the last firing of a rule, or undefined. */
export function lastFiring(vs: VisitState, ar: ActiveRule): number | undefined {
  if (ar.rule.once) return onceFired(vs, ar.rank) ? 0 : undefined;
  const cool = vs.cool;
  if (cool === null) return undefined;
  for (let j = 0; j < cool.length; j += 2) if (cool[j] === ar.rank) return cool[j + 1] as number;
  return undefined;
}

export function recordFiring(vs: VisitState, ar: ActiveRule, t: number): void {
  if (ar.rule.once) return markOnce(vs, ar.rank);
  if (ar.rule.cooldownMs === null) return;
  const cool = (vs.cool ??= []);
  for (let j = 0; j < cool.length; j += 2) {
    if (cool[j] === ar.rank) {
      cool[j + 1] = t;
      return;
    }
  }
  cool.push(ar.rank, t);
}
