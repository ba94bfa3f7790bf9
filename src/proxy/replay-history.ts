// The replays of a connection, as Burp's Repeater keeps them: every connection of the session that
// replays it, oldest first, each compared with the original from what the store holds (so the history
// is there again when the session is reopened).
import type { CaptureStore } from '../capture/capture-store.js';
import type { ReplayRecord } from '../control/api-types.js';
import { compareAnswers, serverAnswers } from './replay-comparison.js';

export function replayHistory(store: CaptureStore, originalId: number): ReplayRecord[] {
  if (!store.connection(originalId)) throw new Error(`no connection ${originalId} in this session`);
  const answers = (id: number) => serverAnswers(store.messages(id, 0, store.messageCount(id)));
  const expected = answers(originalId);
  const history: ReplayRecord[] = [];
  for (const summary of store.connections()) {
    const replay = store.connection(summary.id);
    if (replay?.replayOf !== originalId) continue;
    history.push({
      replayId: replay.id, url: replay.url, startedAt: replay.startedAt, state: replay.state,
      comparison: compareAnswers(originalId, replay.id, expected, answers(replay.id)),
    });
  }
  return history.sort((a, b) => a.startedAt - b.startedAt || a.replayId - b.replayId);
}
