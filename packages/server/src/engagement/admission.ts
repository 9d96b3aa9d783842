/**
 * Admission of a proactive engagement (spec/engagement.md §2): a pure decision over what is known of the visit,
 * so the order of the checks — visitorAbsent, strictMode, frequencyCap, inviteLimit — is written once.
 */
import { ENGAGEMENT_LIVE_STATES } from '../contact-center/types.js';
import type { EngagementRecord } from '../contact-center/types.js';

/** Why an engagement is cancelled at admission. */
export type AdmissionFailure = 'visitorAbsent' | 'strictMode' | 'frequencyCap' | 'inviteLimit';

export interface AdmissionInput {
  /** Some page of the visit holds a push connection. */
  connected: boolean;
  strictMode: boolean;
  /** `engagement.refusalCooldown`, seconds. */
  refusalCooldownSec: number;
  /** `engagement.maxInvitesPerVisit`. */
  maxInvitesPerVisit: number;
  /** Other engagements of the visit (current states). */
  others: readonly EngagementRecord[];
  now: number;
}

const LIVE = new Set<string>(ENGAGEMENT_LIVE_STATES);

/** `null` when the engagement may proceed, else the cancellation reason. */
export function admit(input: AdmissionInput): AdmissionFailure | null {
  if (!input.connected) return 'visitorAbsent';
  if (input.strictMode && input.others.some((e) => LIVE.has(e.state))) return 'strictMode';
  const since = input.now - input.refusalCooldownSec * 1000;
  if (
    input.others.some((e) => e.kind === 'proactive' && e.state === 'refused' && (e.respondedAt ?? 0) > since)
  )
    return 'frequencyCap';
  const invited = input.others.filter((e) => e.invitedAt !== null).length;
  if (invited >= input.maxInvitesPerVisit) return 'inviteLimit';
  return null;
}
