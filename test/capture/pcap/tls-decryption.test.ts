// TLS decryption on capture import, for every version and suite it reads: a real wss conversation (Node's
// TLS, ws) passes a relay that records each direction's bytes, the bytes become a capture, and the key log
// the client wrote decrypts it to the conversation's frames. Without the right secrets the connection is
// listed as encrypted and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { CertificateAuthority } from '../../../src/proxy/certificate-authority.js';
import { CaptureImporter } from '../../../src/capture/pcap/capture-importer.js';
import { KeyLog } from '../../../src/capture/pcap/tls/key-log.js';
import { FLOW4, packets, pcapFile, type Seg } from '../../support/capture-builder.js';
import { MemorySessionWriter } from '../../support/memory-session-writer.js';
import { opened, nextMessage, closed } from '../../support/peers.js';

const SUITES: [string, 'TLSv1.2' | 'TLSv1.3'][] = [
  ['TLS_AES_128_GCM_SHA256', 'TLSv1.3'],
  ['TLS_AES_256_GCM_SHA384', 'TLSv1.3'],
  ['TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2'],
];

describe('capture import decrypts TLS with a key log', () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  let ca: CertificateAuthority;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-tls-decrypt-'));
    ca = CertificateAuthority.loadOrCreate(join(dir, 'ca'));
    const leaf = ca.certificateFor('localhost');
    server = https.createServer({ cert: leaf.cert, key: leaf.key, ciphers: SUITES.map((s) => s[0]).join(':') + ':' + tls.DEFAULT_CIPHERS });
    new WebSocketServer({ server, perMessageDeflate: false }).on('connection', (ws) => ws.on('message', (d) => ws.send(`echo ${d.toString()}`)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A wss conversation through a relay that records both directions; the capture of it and the client's key log. */
  async function recordedConversation(cipher: string, version: 'TLSv1.2' | 'TLSv1.3'): Promise<{ capture: Buffer; keyLog: string }> {
    const chunks: { from: 'c' | 's'; data: Buffer }[] = [];
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(port, '127.0.0.1');
      inbound.on('data', (d: Buffer) => {
        chunks.push({ from: 'c', data: d });
        outbound.write(d);
      });
      outbound.on('data', (d: Buffer) => {
        chunks.push({ from: 's', data: d });
        inbound.write(d);
      });
      inbound.on('end', () => outbound.end());
      outbound.on('end', () => inbound.end());
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    let keyLog = '';
    const ws = new WebSocket(`wss://localhost:${(relay.address() as AddressInfo).port}/decrypt-me`, {
      perMessageDeflate: false,
      createConnection: ((options: tls.ConnectionOptions) => {
        const socket = tls.connect({ ...options, ca: ca.certPem, servername: 'localhost', ciphers: cipher, minVersion: version, maxVersion: version });
        socket.on('keylog', (line: Buffer) => (keyLog += line.toString()));
        return socket;
      }) as never,
    });
    await opened(ws);
    ws.send(`secret over ${cipher}`);
    expect((await nextMessage(ws)).data.toString()).toBe(`echo secret over ${cipher}`);
    const done = closed(ws);
    ws.close(1000, 'bye');
    await done;
    relay.close();
    const segs: Seg[] = [{ from: 'c', rel: 0, flags: { syn: true } }, { from: 's', rel: 0, flags: { syn: true }, ackRel: 1 }];
    const at = { c: 1, s: 1 };
    for (const { from, data } of chunks) {
      segs.push({ from, rel: at[from], payload: data, ackRel: at[from === 'c' ? 's' : 'c'] });
      at[from] += data.length;
    }
    return { capture: pcapFile(101, packets(FLOW4, 'raw', segs)), keyLog };
  }

  for (const [cipher, version] of SUITES) {
    it(`decrypts ${version} with ${cipher} to the conversation's frames`, async () => {
      const { capture, keyLog } = await recordedConversation(cipher, version);
      const writer = new MemorySessionWriter();
      const importer = new CaptureImporter(writer, { keyLog: KeyLog.parse(keyLog) });
      importer.push(capture);
      expect(importer.end()).toMatchObject({ connections: 1, encrypted: 0, problems: [] });
      const c = writer.list()[0]!;
      expect(c.url).toBe(`wss://localhost:${/:(\d+)\//.exec(c.url)![1]}/decrypt-me`);
      expect(c.response?.statusCode).toBe(101);
      expect(c.frames.map((f) => [f.direction, f.frame.opcode, f.frame.masked, f.frame.opcode === 8 ? f.frame.closeReason : f.frame.payload.toString()])).toEqual([
        ['send', 1, true, `secret over ${cipher}`], ['receive', 1, false, `echo secret over ${cipher}`], ['send', 8, true, 'bye'], ['receive', 8, false, 'bye'],
      ]);
    });
  }

  it('lists a connection whose secrets are not in the key log as encrypted, saying so', async () => {
    const { capture } = await recordedConversation('TLS_AES_128_GCM_SHA256', 'TLSv1.3');
    const writer = new MemorySessionWriter();
    const importer = new CaptureImporter(writer, { keyLog: KeyLog.parse('CLIENT_RANDOM 00 11\n') });
    importer.push(capture);
    expect(importer.end()).toMatchObject({ connections: 0, encrypted: 1 });
    expect(writer.list()[0]!.error).toMatch(/^encrypted: a TLS connection \(TLS 1\.3 ClientHello, SNI localhost\); not decrypted: the key log has no secrets for its ClientHello random [0-9a-f]{16}…$/);
  });
});
