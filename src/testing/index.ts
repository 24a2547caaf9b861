/**
 * `convo/testing`: what tests, the demo and the benchmarks run Convo against, kept out of the package entry (which
 * exports the product only): the scripted Anthropic Messages API server the real CLIs talk to offline, and a real git
 * remote served on 127.0.0.1 (smart HTTP).
 */
export * from './model-server/index.js';
export { startGitRemote, type GitRemote, type RemoteCommit } from './git-remote.js';
