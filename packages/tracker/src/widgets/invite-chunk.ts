/** Entry of `GPE.invite.min.js`: registers the invitation widget with the notification agent. */
import { registerWidget } from './api.js';
import { createInviteWidget } from './invite-widget.js';

registerWidget('invite', createInviteWidget);
