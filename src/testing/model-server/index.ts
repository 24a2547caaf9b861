/** The scripted Anthropic Messages API server: see server.ts. */
export { ScriptedModelServer } from './server.js';
export { conversationLength, lastUserText } from './request.js';
export type {
  ContentBlock,
  ModelServerOptions,
  RecordedRequest,
  RequestMatcher,
  RequestMessage,
  ScriptedReply,
} from './types.js';
