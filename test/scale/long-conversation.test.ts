/**
 * `npm run test:scale` (not part of `npm test`: it takes about a quarter of an hour): a 500-turn conversation through
 * the real dev server, a worker and `claude`, with ~50 KB replies, whose transcript passes 25 MB.
 */
import { runLongConversation } from '../../src/bench/long-conversation.js';

const MiB = 1024 * 1024;

test(
  'a 500-turn conversation past 25 MB completes within Temporal limits, history growing slower than the transcript',
  async () => {
    const result = await runLongConversation(500, 50_000, (line) => console.log(line));
    console.log(JSON.stringify({ ...result, turns: undefined }, null, 1));

    expect(result.turns).toHaveLength(500);
    expect(result.finalTranscriptBytes).toBeGreaterThan(25 * MiB);
    // No payload passes 2 MiB, no run's history passes 10 MiB.
    expect(result.maxPayloadBytes).toBeLessThan(2 * MiB);
    expect(result.maxRunHistoryBytes).toBeLessThan(10 * MiB);
    // History bytes added per transcript byte added, after compression: at most 1.0 overall and over every 50 turns
    // (a continue-as-new turn adds its carried state at once; windows amortise it as the conversation does).
    expect(result.ratio).toBeLessThanOrEqual(1);
    for (let i = 0; i < result.turns.length; i += 50) {
      const window = result.turns.slice(i, i + 50);
      const history = window.reduce((n, t) => n + t.historyAdded, 0);
      const transcript = window.reduce((n, t) => n + t.transcriptAdded, 0);
      expect(history / transcript).toBeLessThanOrEqual(1);
    }
  },
  60 * 60_000,
);
