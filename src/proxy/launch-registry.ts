// Which launches (framescope run, shell, browsers) the proxy's clients came from, told by the launch tag
// in their proxy credentials (see launch-tag.ts). Kept in memory for this engine's run only.

import type { LaunchInfo } from '../control/api-types.js';
import type { LaunchTag } from './launch-tag.js';

/** Launches kept; the least recently seen beyond this are forgotten. */
const LAUNCH_LIMIT = 200;
/** WebSocket connection ids kept per launch (the newest). */
const CONNECTIONS_PER_LAUNCH = 1000;

export class LaunchRegistry {
  private readonly launches = new Map<string, LaunchInfo>();

  /** Counts a CONNECT tunnel from a tagged client; call the returned function when the tunnel closes. */
  tunnelOpened(tag: LaunchTag): () => void {
    const launch = this.seen(tag);
    launch.openTunnels++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      launch.openTunnels--;
    };
  }

  /** Notes a WebSocket connection from a tagged client. */
  connectionOpened(tag: LaunchTag, connectionId: number): void {
    const launch = this.seen(tag);
    launch.connectionIds.push(connectionId);
    if (launch.connectionIds.length > CONNECTIONS_PER_LAUNCH) launch.connectionIds.shift();
  }

  /** Every launch seen, the most recently seen first. */
  list(): LaunchInfo[] {
    return [...this.launches.values()].reverse().map((launch) => ({ ...launch, connectionIds: [...launch.connectionIds] }));
  }

  private seen(tag: LaunchTag): LaunchInfo {
    const key = `${tag.kind}.${tag.program ?? ''}:${tag.id}`;
    const now = Date.now();
    let launch = this.launches.get(key);
    if (launch) this.launches.delete(key);
    else launch = { kind: tag.kind, ...(tag.program ? { program: tag.program } : {}), id: tag.id, firstSeen: now, lastSeen: now, openTunnels: 0, connectionIds: [] };
    launch.lastSeen = now;
    this.launches.set(key, launch);
    if (this.launches.size > LAUNCH_LIMIT) this.launches.delete(this.launches.keys().next().value as string);
    return launch;
  }
}
