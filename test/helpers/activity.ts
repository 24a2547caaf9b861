/**
 * Shared set-up of the backend activity tests (test/activities): the turn machinery's dependencies for a temporary
 * folder, and a MockActivityEnvironment that does not log the failures those tests cause on purpose.
 */
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { secretEnvVars } from '../../src/activities/backends/registry.js';
import { CONVO_SECRET_ENV } from '../../src/activities/turn/cli-env.js';
import type { TurnDeps } from '../../src/activities/turn/run-turn.js';
import { DEFAULT_SEGMENT_POLICY } from '../../src/activities/turn/transcript-segments.js';
import { LocalTranscriptStore } from '../../src/storage/transcript-store.js';

/**
 * What every backend's turn needs, for turns run under `dir` (turn dirs there, transcript store in `dir/store`) with
 * the environment `env` (every backend's secrets and Convo's own redacted, as a worker does): a 60 s hung bound,
 * heartbeats every 200 ms, repo workspaces under `dir/workspaces`.
 */
export function testBackendDeps(dir: string, env: NodeJS.ProcessEnv): TurnDeps {
  return {
    secretEnvVars: [...secretEnvVars(), ...CONVO_SECRET_ENV],
    hungAfterMs: 60_000,
    heartbeatIntervalMs: 200,
    workDir: dir,
    env,
    now: () => new Date(),
    store: new LocalTranscriptStore(join(dir, 'store')),
    segmentPolicy: DEFAULT_SEGMENT_POLICY,
    workspaces: { dir: join(dir, 'workspaces'), maxBytes: 1024 ** 3 },
  };
}

/** An activity environment that does not log the failures the tests cause on purpose. */
export const quietActivityEnv = (): MockActivityEnvironment =>
  new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR', () => undefined) });
