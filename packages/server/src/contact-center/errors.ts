/**
 * Contact-center errors, all from the protocol catalogue. `wrongState` and `noAgents` are spec codes not yet in
 * the catalogue; until they are, they map to `conflict` (409) and `unavailable` (503) with a message that names
 * the spec code, so clients can already rely on the status.
 */
import { BeckonError } from '@beckon/protocol';

/** 409: the action is not allowed in the current state (spec code `wrongState`). */
export const wrongState = (message: string): BeckonError =>
  new BeckonError('conflict', `wrongState: ${message}`);

/** 503: no eligible agent is logged in (spec code `noAgents`). */
export const noAgents = (message: string): BeckonError =>
  new BeckonError('unavailable', `noAgents: ${message}`);
