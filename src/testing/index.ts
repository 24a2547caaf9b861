/**
 * `convo/testing`: what tests, the demo and the benchmarks run Convo against, kept out of the package entry (which
 * exports the product only). Today that is the scripted Anthropic Messages API server the real CLIs talk to offline.
 */
export * from './model-server/index.js';
