// Requests that would come back to the proxy's own listener (--upstream pointing at itself, an
// absolute-form URL or a CONNECT naming it) are refused with 508 Loop Detected instead of chasing
// themselves until the file descriptors run out. Two checks: a target naming the listener (its
// address, a loopback name, an unspecified address, any local interface when bound to all), and, for
// names that resolve to it, an incoming connection whose peer is one of the proxy's own outgoing
// sockets.
import net, { type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';

export class LoopDetector {
  /**
   * The connection (local end > remote end) of every open outgoing socket the proxy made. Both ends
   * count: the same local port is used toward different servers at once.
   */
  private readonly outgoing = new Set<string>();
  /** Sockets already tracked (pooled sockets are handed out again and again). */
  private readonly tracked = new WeakSet<net.Socket>();

  constructor(
    /** The listener's bound address, once it listens. */
    private readonly listening: () => AddressInfo | null,
  ) {}

  /** Whether host:port names the proxy's own listener. */
  targetsSelf(host: string, port: number): boolean {
    const bound = this.listening();
    if (!bound || port !== bound.port) return false;
    const name = normalizeHost(host);
    const boundAddress = normalizeHost(bound.address);
    const boundAll = boundAddress === '0.0.0.0' || boundAddress === '::';
    if (name === 'localhost' || name.endsWith('.localhost')) return boundAll || isLoopback(boundAddress);
    if (net.isIP(name) === 0) return false;
    // Connecting to an unspecified address reaches this host.
    if (name === '0.0.0.0' || name === '::') return true;
    if (name === boundAddress) return true;
    if (!boundAll) return false;
    // Bound to every address: any loopback or local interface address of a family it accepts.
    const v6 = boundAddress === '::';
    if (net.isIPv6(name) && !v6) return false;
    return isLoopback(name) || localAddresses().has(name);
  }

  /** Remembers an outgoing socket's local end while it is open, so a connection it makes to us is known. */
  trackOutgoing(socket: net.Socket): void {
    if (this.tracked.has(socket)) return;
    this.tracked.add(socket);
    const remember = () => {
      if (socket.localAddress === undefined || socket.localPort === undefined || socket.remoteAddress === undefined || socket.remotePort === undefined) return;
      const key = `${endpoint(socket.localAddress, socket.localPort)}>${endpoint(socket.remoteAddress, socket.remotePort)}`;
      this.outgoing.add(key);
      socket.once('close', () => this.outgoing.delete(key));
    };
    if (socket.localPort !== undefined && !socket.connecting) remember();
    else socket.once('connect', remember);
  }

  /** Whether an incoming connection is one the proxy itself opened: a loop through a name that resolves to us. */
  isOwnConnection(socket: Duplex): boolean {
    const s = socket as net.Socket;
    if (s.remoteAddress === undefined || s.remotePort === undefined || s.localAddress === undefined || s.localPort === undefined) return false;
    return this.outgoing.has(`${endpoint(s.remoteAddress, s.remotePort)}>${endpoint(s.localAddress, s.localPort)}`);
  }
}

function endpoint(address: string, port: number): string {
  return `${normalizeHost(address)}|${port}`;
}

/** Lower case, no brackets, no trailing dot, IPv4-mapped IPv6 as plain IPv4. */
function normalizeHost(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? mapped[1]! : h;
}

function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

function localAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) found.add(normalizeHost(info.address.split('%')[0]!));
  }
  return found;
}
