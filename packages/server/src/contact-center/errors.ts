/**
 * Contact-center errors, all from the protocol catalogue (spec/engagement.md §5, §9).
 */
import { BeckonError } from '@beckon/protocol';

/** 409: the action is not allowed in the current state. */
export const wrongState = (message: string): BeckonError => new BeckonError('wrongState', message);

/** 503: no eligible agent is logged in. */
export const noAgents = (message: string): BeckonError => new BeckonError('noAgents', message);
