export { conversationWorkflow } from './conversation.js';
export { accountWorkflow } from './account.js';
