// A large packet capture is imported as a stream: memory holds the connections open at a time (each with
// at most one stored-payload cap of frame and message), never the file or what the session's file has
// not written yet (issue 13). At 1 GiB and 40 connections at once the peak was 350-400 MB; here 300 MiB.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { usePeakRssCli } from '../support/peak-rss-cli.js';
import { writeBigCapture } from '../support/big-capture.js';

describe('a 300 MiB capture of 16 WebSocket connections, 8 at a time, through `framescope import`', () => {
  const { home: homeDir, cli, stderrOf, peakOf } = usePeakRssCli('framescope-big-capture-');

  it('peaks far below the file\'s size and imports every connection and frame', async () => {
    const file = join(homeDir(), 'big.pcap');
    const written = writeBigCapture(file, 300 * 1024 * 1024, 8);
    const r = cli('import', file, '--session', 'big');
    expect(stderrOf(r)).toBe('');
    expect(r.stdout).toBe(`imported ${written.connections} WebSocket connections (pcap, ${written.packets} packets) into session "big"\n`);
    // Holding the file, or its frames, would pass 300 MiB (measured: about 190 MB).
    expect(peakOf(r)).toBeLessThan(240 * 1024 * 1024);
    const store = await CaptureStore.open(join(homeDir(), 'sessions', 'big.fscap'));
    try {
      const connections = store.connections();
      expect(connections).toHaveLength(written.connections);
      // The capture ends in the middle of the last frames, which are not counted as written.
      expect(connections.reduce((n, c) => n + c.frameCount, 0)).toBeGreaterThanOrEqual(written.frames - 8);
      expect(connections.reduce((n, c) => n + c.frameCount, 0)).toBeLessThanOrEqual(written.frames);
    } finally {
      store.close();
    }
  }, 110_000);
});
