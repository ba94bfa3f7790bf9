// What an engine tells the UIs of a control server: its events, and which connections changed (their
// summaries are read from the engine when each UI's batch goes out).
import type { Engine } from '../engine.js';
import type { ControlServer } from './control-server.js';

export function linkEngine(engine: Engine, control: ControlServer): void {
  engine.on('event', (event) => control.broadcast(event));
  const reader = { summary: (id: number) => engine.connectionSummary(id), counts: (id: number) => engine.connectionCounts(id) };
  engine.on('connections', (opened, counted) => control.connectionsChanged(opened, counted, reader));
}
