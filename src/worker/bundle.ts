/** Build step: writes the prebuilt workflow bundle beside the compiled code. */
import { writeWorkflowBundle } from './worker.js';

writeWorkflowBundle().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
