/** The visitor push channel: what other server features import. */
export type { NotificationHub, PushMessage } from './hub.js';
export { notificationsFeature, type NotificationsService } from './notifications-feature.js';
