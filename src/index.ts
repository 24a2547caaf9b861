/**
 * Convo's package entry: the product. The client API and its errors, the shared shapes and the error taxonomy, the
 * workflow's messages (for plain Temporal clients), configuration, payload codecs and the worker factory. Test
 * infrastructure (the scripted model server) is the `convo/testing` subpath.
 */
export { ConvoClient, ConvoError, TurnFailedError } from './client/client.js';
export type {
  ConversationDiff,
  ConversationSummary,
  ConvoErrorCode,
  DiffOptions,
  FollowOptions,
  ForkOptions,
  ListOptions,
  StartOptions,
  TurnActivity,
} from './client/client.js';
export { transcriptToChat } from './client/chat.js';
export type { ChatEntry, ChatTurn } from './common/chat.js';
export * from './common/search-attributes.js';
export * from './common/conversation.js';
export * from './common/errors.js';
export * from './common/turn-events.js';
export { parseUsageLimitReset } from './activities/backends/claude/reset-time.js';
export { backendNames } from './activities/backends/registry.js';
export { ConfigError } from './config/env.js';
export { loadClientConfig, type ClientConfig } from './config/client.js';
export { loadWorkerConfig, type WorkerConfig } from './config/worker.js';
export { loadEncryptionKeys, type EncryptionKeys } from './config/codec-keys.js';
export { createDataConverter, createPayloadCodecs } from './codec/data-converter.js';
export { DecryptionError } from './codec/encryption.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec/server.js';
export {
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  resumeSignal,
  resumeUpdate,
  sendTurnSignal,
  skipSignal,
  skipUpdate,
  stateQuery,
  transcriptQuery,
  turnQuery,
  CONVERSATION_WORKFLOW_TYPE,
} from './workflows/messages.js';
export { createConvoWorker } from './worker/worker.js';
