/**
 * The proactive engagement feature (spec/engagement.md §2–§4, §11; spec/compat.md §13 disposition): the engine
 * that turns actionable events into engagements run by SCXML strategies, and its routes. Only the registration
 * lives here.
 */
import type { FastifyInstance } from 'fastify';
import type { BeckonApp } from '../app.js';
import type { ContactCenter } from '../contact-center/contact-center.js';
import { realScheduler } from '../contact-center/scheduler.js';
import type { Scheduler } from '../contact-center/scheduler.js';
import type { NotificationHub } from '../notifications/hub.js';
import { StrategyCatalog } from '../scxml/strategy-catalog.js';
import { createVmEvaluator } from '../scxml/vm-evaluator.js';
import { EngagementEngine } from './engagement-engine.js';
import { engagementRoutes } from './engagement-routes.js';

export { EngagementEngine, DISPOSITION_CODES, TERMINAL_STATES } from './engagement-engine.js';
export type { DispositionCode, LiveEngagement } from './engagement-engine.js';
export { funnel, FUNNEL_DIMENSIONS, type FunnelRow, type FunnelDimension } from './funnel.js';
export { admit, type AdmissionFailure } from './admission.js';
import { strategyRoutes } from './strategy-routes.js';

export interface EngagementFeatureDeps {
  /** Default: `beckon.contactCenter` (required: engagements need agents, routing and pacing). */
  contactCenter?: ContactCenter;
  /** Default: `beckon.services.notifications`. */
  hub?: NotificationHub;
  /** Default: the contact center's scheduler (tests pass a manual one through the contact center). */
  scheduler?: Scheduler;
  /** Default: the built-in strategies. */
  catalog?: StrategyCatalog;
}

/**
 * Registers the engagement routes and starts the engine: stored strategy sessions are restored (deadlines
 * re-armed), then `actionable` and `agents.changed` are consumed from the bus. Stops with the app.
 */
export async function engagementFeature(
  app: FastifyInstance,
  beckon: BeckonApp,
  deps: EngagementFeatureDeps = {},
): Promise<EngagementEngine> {
  const contactCenter = deps.contactCenter ?? beckon.contactCenter;
  if (!contactCenter) throw new Error('the engagement feature needs the contact center');
  const catalog = deps.catalog ?? StrategyCatalog.withBuiltIns();
  await strategyRoutes(app, beckon, catalog);
  const engine = new EngagementEngine({
    beckon,
    contactCenter,
    hub: deps.hub ?? beckon.services.notifications,
    scheduler: deps.scheduler ?? contactCenter.scheduler ?? realScheduler(beckon.now),
    catalog,
    evaluator: createVmEvaluator(),
  });
  engagementRoutes(app, engine, beckon.services.history);
  await engine.start();
  app.addHook('onClose', async () => engine.stop());
  return engine;
}
