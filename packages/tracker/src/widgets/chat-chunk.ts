/** Entry of `GPE.chat.min.js`: registers the chat widget (with the callback form) with the notification agent. */
import { registerWidget } from './api.js';
import { createChatWidgets } from './chat-widget.js';

registerWidget('chat', createChatWidgets);
