/**
 * Upkeep of a visit's state between evaluations (spec/rules.md §8.11, §8.13): moving it onto a new rule set with the
 * state of unchanged components, moving its time base when relative times would outgrow small integers, and the
 * periodic sweep of window entries and partial matches that left their window. Also the one way the engine stores a
 * component state (`putState`).
 */
import type { Component } from './compile.js';
import { pruneComponent, shiftComponent } from './components.js';
import { freshAt } from './flat-matchers.js';
import { moveRefraction } from './refraction.js';
import type { RuleSet } from './rule-set.js';
import type { SlotCodec } from './slot-map.js';
import { SlotMap } from './slot-map.js';
import type { VisitState } from './visit-state.js';

/** Stores the state of component `slot` of the visit's rule set (`undefined` deletes it). */
export function putState(vs: VisitState, slot: number, st: unknown): void {
  if (st === undefined) vs.comps.delete(slot);
  else vs.comps.set(slot, st, (vs.rs as RuleSet).slotCodecs[slot] as SlotCodec);
}

/** Moves the visit's time base `since` ms later; every stored relative time moves with it. */
export function moveTimeBase(vs: VisitState, since: number): void {
  const rs = vs.rs as RuleSet;
  vs.t0 += since;
  vs.t -= since;
  vs.lt -= since;
  vs.pgAt -= since;
  for (const [slot, st] of [...vs.comps]) {
    const comp = rs.slotComps[slot];
    if (comp !== undefined) putState(vs, slot, shiftComponent(comp, st, since));
  }
}

/**
 * Moves a visit onto rule set `rs`, keeping the state of components whose key is unchanged (from a restored snapshot
 * or the previous rule set) and the refraction records of rules that still exist (§8.13).
 */
export function moveToRuleSet(vs: VisitState, rs: RuleSet): void {
  const old = vs.rs as RuleSet | null;
  const moved = new SlotMap();
  if (vs.keyed !== null) {
    for (const [key, st] of Object.entries(vs.keyed)) {
      const slot = rs.slotByKey.get(key);
      if (slot !== undefined) moved.set(slot, st, rs.slotCodecs[slot] as SlotCodec);
    }
    vs.keyed = null;
  } else if (old !== null) {
    for (const [slot, st] of vs.comps) {
      const to = rs.slotByKey.get(old.slotKeys[slot] ?? '');
      if (to !== undefined) moved.set(to, st, rs.slotCodecs[to] as SlotCodec);
    }
  }
  vs.comps.replaceWith(moved);
  moveRefraction(vs, old, rs);
  vs.rs = rs;
}

/** Periodic sweep: drops window entries and partial matches that left their window (`rt` relative to `t0`). */
export function sweepVisit(vs: VisitState, rt: number): void {
  const rs = vs.rs as RuleSet;
  const map = vs.comps;
  const a = map.raw;
  let stale: number[] | null = null;
  for (let j = 0; j < map.end; j += 1 + map.lengthAt(j)) {
    const slot = map.slotAt(j);
    const comp = rs.slotComps[slot];
    if (comp !== undefined && !freshAt(comp, a, j + 1, map.lengthAt(j), rt)) (stale ??= []).push(slot);
  }
  if (stale === null) return;
  for (const slot of stale) {
    const st = map.get(slot);
    const kept = pruneComponent(rs.slotComps[slot] as Component, st, rt);
    if (kept === undefined) map.delete(slot);
    else if (kept !== st) map.set(slot, kept, rs.slotCodecs[slot] as SlotCodec);
  }
}
