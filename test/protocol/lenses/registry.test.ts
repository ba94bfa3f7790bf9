import { describe, expect, it } from 'vitest';
import type { Lens, LensConnection } from '../../../src/protocol/lenses/lens.js';
import { defaultLensRegistry, isLensChoice, LensRegistry } from '../../../src/protocol/lenses/registry.js';
import { lensConnectionOf, targetPathAndQuery } from '../../../src/protocol/lenses/lens-connection.js';
import { PacketLinker } from '../../../src/protocol/lenses/packet-linker.js';
import { text } from './lens-test-support.js';

const fixed = (name: Lens['name'], score: number | (() => number)): Lens => ({
  name,
  detect: () => (typeof score === 'number' ? score : score()),
  decoder: () => ({ decode: () => ({ packets: [] }) }),
});
const plain: LensConnection = { target: '/', offeredSubprotocols: [] };

describe('the lens registry', () => {
  it('picks the highest score above 0.5, and none when no lens passes 0.5', () => {
    const registry = new LensRegistry([fixed('stomp', 0.6), fixed('mqtt', 0.9), fixed('wamp', 0.3)]);
    expect(registry.detect(plain, [])?.lens.name).toBe('mqtt');
    expect(registry.detect(plain, [])?.score).toBe(0.9);
    expect(new LensRegistry([fixed('stomp', 0.5), fixed('wamp', 0.2)]).detect(plain, [])).toBeUndefined();
  });

  it('scores a lens that throws as 0 and keeps detecting with the others', () => {
    const registry = new LensRegistry([fixed('stomp', () => { throw new Error('boom'); }), fixed('wamp', 0.8)]);
    expect(registry.scores(plain, []).map((s) => [s.lens.name, s.score])).toEqual([['wamp', 0.8]]);
  });

  it('settles a tie for the lens registered first', () => {
    expect(new LensRegistry([fixed('stomp', 0.8), fixed('wamp', 0.8)]).detect(plain, [])?.lens.name).toBe('stomp');
  });

  it('follows the user\'s choice over detection: a named lens, auto, or none', () => {
    const registry = new LensRegistry([fixed('stomp', 0.9), fixed('wamp', 0)]);
    expect(registry.choose('wamp', plain, [])?.name).toBe('wamp');
    expect(registry.choose('auto', plain, [])?.name).toBe('stomp');
    expect(registry.choose('none', plain, [])).toBeUndefined();
    expect(registry.choose('mqtt', plain, [])).toBeUndefined();
  });

  it('knows a choice from anything else', () => {
    expect(['auto', 'none', 'socket.io', 'json-rpc'].map(isLensChoice)).toEqual([true, true, true, true]);
    expect(['socketio', '', 3, undefined, '__proto__'].map(isLensChoice)).toEqual([false, false, false, false, false]);
  });

  it('detects Socket.IO and Engine.IO from the URL, and Socket.IO on another path from its first messages', () => {
    const registry = defaultLensRegistry();
    const at = (target: string): LensConnection => ({ target, offeredSubprotocols: [] });
    expect(registry.detect(at('/socket.io/?EIO=4&transport=websocket'), [])?.lens.name).toBe('socket.io');
    expect(registry.detect(at('ws://example.com/socket.io/?EIO=3&transport=websocket&sid=x'), [])?.lens.name).toBe('socket.io');
    expect(registry.detect(at('/engine.io/?EIO=4&transport=websocket'), [])?.lens.name).toBe('engine.io');
    expect(registry.detect(at('/rt/?EIO=4&transport=websocket'), [])?.lens.name).toBe('engine.io');
    const first = [text('receive', '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000}'), text('send', '40')];
    expect(registry.detect(at('/rt/?EIO=4&transport=websocket'), first)?.lens.name).toBe('socket.io');
    expect(registry.detect(at('/rt/'), first)?.lens.name).toBe('socket.io');
    expect(registry.detect(at('/feed'), [text('receive', 'hello')])).toBeUndefined();
  });
});

describe('a lens connection', () => {
  it('collects the offered subprotocols over every header line, in order', () => {
    const c = lensConnectionOf('/x', ['Host', 'a', 'Sec-WebSocket-Protocol', 'mqtt, v12.stomp', 'sec-websocket-protocol', ' wamp.2.json '], 'mqtt');
    expect(c).toEqual({ target: '/x', offeredSubprotocols: ['mqtt', 'v12.stomp', 'wamp.2.json'], subprotocol: 'mqtt' });
  });

  it('reads the path and query of origin-form and absolute-form targets', () => {
    expect(targetPathAndQuery('ws://h:1/socket.io/?EIO=4#x').path).toBe('/socket.io/');
    expect(targetPathAndQuery('ws://h:1/socket.io/?EIO=4#x').query.get('EIO')).toBe('4');
    expect(targetPathAndQuery('/a?b=1').path).toBe('/a');
    expect(targetPathAndQuery('http://h').path).toBe('/');
  });
});

describe('the packet linker', () => {
  const packet = (link?: { role: 'request' | 'answer'; key: string; final?: boolean }) => ({ name: 'json-rpc' as const, type: 't', summary: 's', ...(link ? { link } : {}) });

  it('pairs a request with its answers until a final one, with the latency of each', () => {
    const linker = new PacketLinker();
    linker.add({ message: 0, packet: 0 }, 1000, packet({ role: 'request', key: 'k' }));
    linker.add({ message: 1, packet: 0 }, 1005, packet({ role: 'answer', key: 'k' }));
    linker.add({ message: 2, packet: 1 }, 1012, packet({ role: 'answer', key: 'k', final: true }));
    linker.add({ message: 3, packet: 0 }, 1020, packet({ role: 'answer', key: 'k', final: true }));
    expect(linker.linksOf({ message: 0, packet: 0 })).toEqual({ answers: [{ message: 1, packet: 0 }, { message: 2, packet: 1 }], latencyMs: 5, closed: true });
    expect(linker.linksOf({ message: 2, packet: 1 })).toEqual({ request: { message: 0, packet: 0 }, latencyMs: 12 });
    expect(linker.linksOf({ message: 3, packet: 0 })).toBeUndefined();
    expect(linker.openCount).toBe(0);
  });

  it('starts a new pair when a key is reused, leaving the old request unanswered', () => {
    const linker = new PacketLinker();
    linker.add({ message: 0, packet: 0 }, 0, packet({ role: 'request', key: 'k' }));
    linker.add({ message: 1, packet: 0 }, 1, packet({ role: 'request', key: 'k' }));
    linker.add({ message: 2, packet: 0 }, 3, packet({ role: 'answer', key: 'k', final: true }));
    expect(linker.linksOf({ message: 0, packet: 0 })).toEqual({ answers: [] });
    expect(linker.linksOf({ message: 2, packet: 0 })).toEqual({ request: { message: 1, packet: 0 }, latencyMs: 2 });
    expect(linker.linksOf({ message: 9, packet: 0 })).toBeUndefined();
  });
});
