// Real packet captures of loopback traffic with tshark (dumpcap underneath), started and stopped at known
// points: a sentinel connection is made until tshark reports it, so the capture is known to be running
// before the traffic starts and to have seen everything before it is stopped. No sleeps.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo } from 'node:net';

export const TSHARK = '/usr/bin/tshark';

export interface LiveCapture {
  /** Waits until every packet sent so far is in the file, then ends the capture. */
  stop(): Promise<void>;
}

/** Captures TCP traffic on lo to and from the given ports into file (pcapng). */
export async function startLoopbackCapture(file: string, ports: number[], extraFilter = ''): Promise<LiveCapture> {
  const sentinel = createServer((socket) => socket.destroy());
  sentinel.listen(0, '127.0.0.1');
  await once(sentinel, 'listening');
  const sentinelPort = (sentinel.address() as AddressInfo).port;
  const filter = [...ports, sentinelPort].map((p) => `tcp port ${p}`).join(' or ') + extraFilter;
  const child = spawn(TSHARK, ['-i', 'lo', '-w', file, '-f', filter, '-P', '-l', '-n'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  const synLines = () => out.split('\n').filter((l) => l.includes(`→ ${sentinelPort} `) && l.includes('[SYN]')).length;

  /** Connects to the sentinel until tshark has printed one more SYN to it than before. */
  const mark = async () => {
    const before = synLines();
    const deadline = Date.now() + 30_000;
    while (synLines() === before) {
      if (child.exitCode !== null) throw new Error(`tshark exited: ${err}`);
      if (Date.now() > deadline) throw new Error(`tshark did not see the sentinel connection: ${err}`);
      if (/Capturing on/.test(err)) {
        const s = connect(sentinelPort, '127.0.0.1');
        s.on('error', () => {});
        await once(s, 'close');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    await mark();
  } catch (error) {
    child.kill('SIGKILL');
    sentinel.close();
    throw error;
  }
  return {
    async stop() {
      try {
        await mark();
      } finally {
        child.kill('SIGINT');
        await exited;
        sentinel.close();
      }
    },
  };
}

type Layers = Record<string, unknown>;

/** One WebSocket frame as tshark's dissector reads it. */
export interface TsharkFrame {
  /** The TCP stream's two ports, lower first. */
  ports: string;
  srcPort: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskKey?: string;
  payloadLength: number;
  closeCode?: number;
  closeReason?: string;
  /** The text of a text frame, as tshark shows it (decompressed when it was compressed). */
  text?: string;
}

/** Every WebSocket frame tshark finds in file, in capture order; httpPorts are dissected as HTTP. */
export function tsharkFrames(file: string, httpPorts: number[], extraArgs: string[] = []): TsharkFrame[] {
  const args = ['-r', file, ...httpPorts.flatMap((p) => ['-d', `tcp.port==${p},http`]), ...extraArgs, '-Y', 'websocket', '-T', 'json', '--no-duplicate-keys'];
  const json = execFileSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const packets = JSON.parse(json) as { _source: { layers: Layers } }[];
  const frames: TsharkFrame[] = [];
  for (const packet of packets) {
    const layers = packet._source.layers;
    const tcp = layers.tcp as Record<string, string>;
    const src = Number(tcp['tcp.srcport']);
    const dst = Number(tcp['tcp.dstport']);
    const ports = [src, dst].sort((a, b) => a - b).join('-');
    const ws = layers.websocket;
    for (const w of (Array.isArray(ws) ? ws : [ws]) as Record<string, unknown>[]) {
      const rsv = Number(w['websocket.rsv']);
      const payload = w['websocket.payload'] as Record<string, unknown> | undefined;
      const close = payload?.['websocket.payload.close'] as Record<string, string> | undefined;
      const f: TsharkFrame = {
        ports, srcPort: src,
        fin: w['websocket.fin'] === '1',
        rsv1: (rsv & 4) !== 0, rsv2: (rsv & 2) !== 0, rsv3: (rsv & 1) !== 0,
        opcode: Number(w['websocket.opcode']),
        masked: w['websocket.mask'] === '1',
        payloadLength: Number(w['websocket.payload_length_ext_64'] ?? w['websocket.payload_length_ext_16'] ?? w['websocket.payload_length']),
      };
      if (typeof w['websocket.masking_key'] === 'string') f.maskKey = (w['websocket.masking_key'] as string).replace(/:/g, '');
      if (close) {
        f.closeCode = Number(close['websocket.payload.close.status_code']);
        f.closeReason = close['websocket.payload.close.reason'] ?? '';
      }
      const text = payload?.['websocket.payload.text'];
      if (typeof text === 'string') f.text = text;
      frames.push(f);
    }
  }
  return frames;
}
