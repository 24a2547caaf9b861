/** Entry of the `convo` command (bin/convo.js imports this). */
import { main } from './cli.js';

await main();
