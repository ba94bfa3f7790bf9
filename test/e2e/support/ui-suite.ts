// What every end-to-end suite starts before its tests and stops after them: the app, a ws server for
// its proxy to reach, and the UI open in Chromium.
import type { IncomingMessage } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { WebSocket } from 'ws';
import { startWsServer } from '../../support/peers.js';
import { ensureBuilt } from './build.js';
import { launchChromium, openUi, startApp, type RunningApp } from './ui-app.js';

export interface UiSuite {
  /** `framescope ui` with its proxy. */
  app: RunningApp;
  /** The ws server the tests' clients reach through the proxy. */
  server: Awaited<ReturnType<typeof startWsServer>>;
  /** The UI, open on the app. */
  page: Page;
  /** The page's errors and console errors, in order. */
  errors: string[];
}

/**
 * Starts the suite's app, server and UI before its tests (the server answers each connection with
 * onConnection) and stops them after its own afterAll hooks. The fields are set once beforeAll ran.
 */
export function useUiSuite(onConnection?: (ws: WebSocket, request: IncomingMessage) => void): UiSuite {
  const suite = {} as UiSuite;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    [suite.app, suite.server, browser] = await Promise.all([startApp(), startWsServer(), launchChromium()]);
    if (onConnection) suite.server.wss.on('connection', onConnection);
    ({ page: suite.page, errors: suite.errors } = await openUi(browser, suite.app.url));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await suite.server?.close();
    await suite.app?.stop();
  });
  return suite;
}

/** Polls until the UI shows what is expected (well inside the test timeout). */
// Generous: the machine running the suite may be loaded; a condition that holds returns at once.
export const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });
