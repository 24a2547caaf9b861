/**
 * Convo's package entry: the client API, the shared types and the error taxonomy.
 */
export { ConvoClient, ConvoError, TurnFailedError } from './client/client.js';
export type { ConversationSummary, ConvoErrorCode, ListOptions, StartOptions, TurnActivity } from './client/client.js';
export { transcriptToChat, formatChat, type ChatEntry, type ChatTurn } from './client/chat.js';
export * from './common/search-attributes.js';
export * from './common/conversation.js';
export * from './common/errors.js';
export { parseUsageLimitReset } from './activities/usage-limit.js';
export { loadConfig, loadEncryptionKeys, ConfigError, type Config, type EncryptionKeys } from './config.js';
export { createDataConverter, createPayloadCodecs } from './codec/data-converter.js';
export { DecryptionError } from './codec/encryption.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec/server.js';
export {
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  resumeSignal,
  sendTurnSignal,
  skipSignal,
  stateQuery,
  transcriptQuery,
  CONVERSATION_WORKFLOW_TYPE,
} from './workflows/messages.js';
export { createConvoWorker } from './worker/worker.js';
export { ScriptedModelServer } from './testing/model-server.js';
