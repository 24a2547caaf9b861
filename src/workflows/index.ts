export { conversationWorkflow } from './conversation/workflow.js';
export { accountWorkflow } from './account.js';
