/**
 * @deprecated Moved to src/testing/model-server/ (import `convo/testing`, or src/testing/index.js inside the repo).
 * This re-export keeps old import sites compiling until they are rewired; delete it then.
 */
export * from './model-server/index.js';
