/**
 * Retention: the purge that deletes old visits with everything hanging off them, and identities that have not
 * been seen for a while and are no longer associated with any visit. One transaction.
 */
import type { SqlDriver } from './sql-driver.js';

export async function purge(
  driver: SqlDriver,
  visitsBefore: number,
  identitiesBefore: number,
): Promise<{ visits: number; identities: number }> {
  return driver.transaction(async (tx) => {
    const old = 'SELECT visit_id FROM visits WHERE last_event_at < ?';
    // the events table stores its ids as bytes (id-codec.ts)
    await tx.run(
      `DELETE FROM events WHERE visit_id IN (SELECT beckon_id(visit_id) FROM visits WHERE last_event_at < ?)`,
      [visitsBefore],
    );
    await tx.run(`DELETE FROM pages WHERE visit_id IN (${old})`, [visitsBefore]);
    await tx.run(`DELETE FROM visit_identities WHERE visit_id IN (${old})`, [visitsBefore]);
    await tx.run(`DELETE FROM actionable_events WHERE visit_id IN (${old})`, [visitsBefore]);
    const visits = await tx.run('DELETE FROM visits WHERE last_event_at < ?', [visitsBefore]);
    const identities = await tx.run(
      `DELETE FROM identities WHERE last_seen < ? AND NOT EXISTS (SELECT 1 FROM visit_identities x
         WHERE x.identity_id = identities.identity_id AND x.verified = identities.verified)`,
      [identitiesBefore],
    );
    return { visits, identities };
  });
}
