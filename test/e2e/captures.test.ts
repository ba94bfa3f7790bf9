// Captures from the UI: Session > Open capture uploads a pcap in pieces and browses it as a new session
// with its connection; Session > Export pcapng downloads a pcapng that holds the same frames.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM } from '../support/chromium.js';
import { poll, useUiSuite } from './support/ui-suite.js';
import { FLOW4, packets, pcapFile, upgradeSegments } from '../support/capture-builder.js';
import { MemorySessionWriter } from '../support/memory-session-writer.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { CaptureImporter } from '../../src/capture/pcap/capture-importer.js';

describe.runIf(existsSync(CHROMIUM))('captures in the UI', () => {
  const ui = useUiSuite();

  it('opens a pcap as a new session, and exports it as a pcapng with the same frames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-e2e-capture-'));
    try {
      const { segs, next } = upgradeSegments('/from-tcpdump');
      const frames = [encodeFrameBytes({ opcode: 1, mask: Buffer.from([1, 1, 2, 2]), payload: 'captured hello' }), encodeFrameBytes({ opcode: 1, payload: 'captured answer' })];
      const file = join(dir, 'server side.pcap');
      writeFileSync(file, pcapFile(1, packets(FLOW4, 'ethernet', [
        ...segs,
        { from: 'c', rel: next.c, payload: frames[0], ackRel: next.s },
        { from: 's', rel: next.s, payload: frames[1], ackRel: next.c + frames[0]!.length },
      ])));

      await ui.page.getByRole('button', { name: /^Session/ }).click();
      const [chooser] = await Promise.all([ui.page.waitForEvent('filechooser'), ui.page.getByRole('menuitem', { name: 'Open capture (pcap, pcapng)…' }).click()]);
      await chooser.setFiles(file);
      const row = ui.page.locator('[data-connection-id]').filter({ hasText: 'ws://example.test:9000/from-tcpdump' });
      await row.waitFor();
      await poll(() => ui.page.locator('.session-name').textContent()).toBe('server side');
      expect(await ui.page.locator('[data-connection-id]').count()).toBe(1);

      await ui.page.getByRole('button', { name: /^Session/ }).click();
      const [download] = await Promise.all([ui.page.waitForEvent('download'), ui.page.getByRole('menuitem', { name: 'Export pcapng', exact: true }).click()]);
      expect(download.suggestedFilename()).toBe('server side.pcapng');
      const writer = new MemorySessionWriter();
      const importer = new CaptureImporter(writer);
      importer.push(readFileSync((await download.path())!));
      expect(importer.end()).toMatchObject({ format: 'pcapng', connections: 1, problems: [] });
      expect(writer.list()[0]!.frames.map((f) => [f.direction, f.frame.payload.toString()])).toEqual([['send', 'captured hello'], ['receive', 'captured answer']]);
      expect(ui.errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
