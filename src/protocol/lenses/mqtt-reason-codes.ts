// Reason codes (MQTT 5 §2.4) and MQTT 3.1.1's CONNACK return codes (§3.2.2.3), in the spec's words.

const REASONS: Record<number, string> = {
  0x00: 'Success', 0x01: 'Granted QoS 1', 0x02: 'Granted QoS 2', 0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers', 0x11: 'No subscription existed', 0x18: 'Continue authentication', 0x19: 'Re-authenticate',
  0x80: 'Unspecified error', 0x81: 'Malformed Packet', 0x82: 'Protocol Error', 0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version', 0x85: 'Client Identifier not valid', 0x86: 'Bad User Name or Password',
  0x87: 'Not authorized', 0x88: 'Server unavailable', 0x89: 'Server busy', 0x8a: 'Banned', 0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method', 0x8d: 'Keep Alive timeout', 0x8e: 'Session taken over', 0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid', 0x91: 'Packet Identifier in use', 0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded', 0x94: 'Topic Alias invalid', 0x95: 'Packet too large', 0x96: 'Message rate too high',
  0x97: 'Quota exceeded', 0x98: 'Administrative action', 0x99: 'Payload format invalid', 0x9a: 'Retain not supported',
  0x9b: 'QoS not supported', 0x9c: 'Use another server', 0x9d: 'Server moved', 0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded', 0xa0: 'Maximum connect time', 0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

const CONNACK_V3: Record<number, string> = {
  0: 'Connection Accepted', 1: 'Unacceptable protocol version', 2: 'Identifier rejected',
  3: 'Server unavailable', 4: 'Bad user name or password', 5: 'Not authorized',
};

/** The name of a reason code; 0 reads per packet ("Normal disconnection", "Granted QoS 0"). */
export function reasonName(code: number, packet: string, version: number): string {
  if (packet === 'CONNACK' && version < 5) return CONNACK_V3[code] ?? `return code ${code}`;
  if (packet === 'SUBACK' && version < 5) return code === 0x80 ? 'Failure' : code <= 2 ? `Granted QoS ${code}` : `return code ${code}`;
  if (code === 0 && packet === 'DISCONNECT') return 'Normal disconnection';
  if (code === 0 && packet === 'SUBACK') return 'Granted QoS 0';
  return REASONS[code] ?? `reason 0x${code.toString(16).padStart(2, '0')}`;
}
