/**
 * When the rules host writes a visit's state (spec/rules.md §8.12: "state may be snapshotted or rebuilt by
 * replaying the visit's stored events since the last snapshot"). With 100 rules a snapshot is about 3 KB of JSON,
 * ten times the stored event itself, so writing one after every event would make rule state most of the database's
 * writes. With a replay source the host writes one only when it must:
 *
 * - the evaluation produced actionable events (they commit with the state, so a replay never emits them again);
 * - the visit's first evaluation (a visit without a snapshot has never been evaluated, and needs no replay);
 * - the next timer deadline is earlier than the persisted one, or there was none (after a restart, timers are re-armed
 *   from the persisted deadlines; a later real deadline only costs an early wake-up that finds nothing due);
 * - {@link SNAPSHOT_EVERY} evaluations have passed since the last one (bounds the replay);
 * - before a new rule set becomes active (a replay must run under the rules the events were evaluated with).
 *
 * Everything else is rebuilt on the next load by replaying the visit's stored events after the snapshot's last one.
 */

/** Evaluation points without a snapshot after which one is written anyway. */
export const SNAPSHOT_EVERY = 16;

/** What the host knows of a cached visit's last snapshot. */
interface Persisted {
  deadline: number | null;
  /** Evaluation points since it was written. */
  unsaved: number;
}

export class SnapshotPolicy {
  readonly #persisted = new Map<string, Persisted>();

  /** @param replays whether the host can rebuild state by replay; without, every evaluation point is written. */
  constructor(private readonly replays: boolean) {}

  /** Whether the evaluation point of `visitId` that ends with `next` and `actionable` events must be written. */
  mustSave(visitId: string, next: number | null, actionable: number): boolean {
    const p = this.#persisted.get(visitId);
    if (!this.replays || p === undefined || actionable > 0 || p.unsaved + 1 >= SNAPSHOT_EVERY) return true;
    return next !== null && (p.deadline === null || next < p.deadline);
  }

  saved(visitId: string, deadline: number | null): void {
    this.#persisted.set(visitId, { deadline, unsaved: 0 });
  }

  skipped(visitId: string): void {
    const p = this.#persisted.get(visitId);
    if (p) p.unsaved++;
  }

  /** The persisted deadline of a cached visit (`undefined`: not known, e.g. just loaded). */
  deadline(visitId: string): number | null | undefined {
    return this.#persisted.get(visitId)?.deadline;
  }

  /** Visits with evaluation points not written yet. */
  dirty(): string[] {
    return [...this.#persisted].filter(([, p]) => p.unsaved > 0).map(([id]) => id);
  }

  /** The visit left the cache or ended. */
  forget(visitId: string): void {
    this.#persisted.delete(visitId);
  }
}
