// An NSS key log (SSLKEYLOGFILE, `framescope proxy --keylog`): the secrets of TLS sessions by their
// ClientHello's random. https://udn.realityripple.com/docs/Mozilla/Projects/NSS/Key_Log_Format

/** The secrets logged for one client random, by label (CLIENT_RANDOM, CLIENT_TRAFFIC_SECRET_0, ...). */
export type SessionSecrets = Map<string, Buffer>;

export class KeyLog {
  private readonly sessions = new Map<string, SessionSecrets>();

  /** Reads the text of a key log; lines it does not understand are skipped. */
  static parse(text: string): KeyLog {
    const log = new KeyLog();
    for (const line of text.split(/\r?\n/)) {
      const m = /^([A-Z_0-9]+) ([0-9a-fA-F]{64}) ([0-9a-fA-F]+)$/.exec(line.trim());
      if (!m) continue;
      const random = m[2]!.toLowerCase();
      let secrets = log.sessions.get(random);
      if (!secrets) log.sessions.set(random, (secrets = new Map()));
      secrets.set(m[1]!, Buffer.from(m[3]!, 'hex'));
    }
    return log;
  }

  /** The secrets of the session whose ClientHello carried this random. */
  secretsFor(clientRandom: Buffer): SessionSecrets | undefined {
    return this.sessions.get(clientRandom.toString('hex'));
  }

  get size(): number {
    return this.sessions.size;
  }
}
