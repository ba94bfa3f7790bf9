// The contract every protocol lens keeps. A lens reads the application protocol that runs on top of a
// connection's messages (Socket.IO, MQTT, GraphQL over WebSocket, ...). It is sans-IO like the rest of
// src/protocol: it sees a connection's handshake and its messages as bytes, never a socket, and keeps
// whatever state a protocol needs between messages in the decoder it creates for one connection.

/** The protocols a lens can read; also the `name` of a HAR message's `_protocol`. */
export type LensName =
  | 'engine.io'
  | 'socket.io'
  | 'graphql-transport-ws'
  | 'subscriptions-transport-ws'
  | 'mqtt'
  | 'stomp'
  | 'signalr'
  | 'json-rpc'
  | 'phoenix'
  | 'actioncable'
  | 'wamp';

/** What a lens may look at to recognise a connection. */
export interface LensConnection {
  /** The request target as the client sent it (origin-form `/socket.io/?EIO=4&transport=websocket`, or absolute-form). */
  target: string;
  /** The subprotocol the server chose (Sec-WebSocket-Protocol of the 101), when one was. */
  subprotocol?: string;
  /** The subprotocols the client offered, in its order. */
  offeredSubprotocols: readonly string[];
}

/** One whole message (after reassembly and decompression), as a lens sees it. */
export interface LensMessage {
  direction: 'send' | 'receive';
  /** 1 text, 2 binary. */
  opcode: number;
  /** The payload, unmasked and decompressed. */
  data: Uint8Array;
}

/**
 * How a packet takes part in a request/answer pair (ack ids, JSON-RPC ids, GraphQL operation ids, MQTT
 * packet ids, STOMP receipts). Packets with the same key are linked: one 'request', then its 'answer's
 * (a GraphQL subscription's `next`s and `complete` are all answers to its `subscribe`). A key is unique
 * within a connection for as long as the pair is open; the protocol's own id goes in it with whatever
 * scopes it (`ack:/chat:17`, `mqtt:send:42`).
 */
export interface PacketLink {
  role: 'request' | 'answer';
  key: string;
  /** This answer closes the pair (a response, an ACK, a `complete`, a PUBACK); later packets with the key start a new pair. */
  final?: boolean;
}

/** One protocol packet. The fields are HAR's `_protocol` contract (see the README's Protocols section). */
export interface ProtocolPacket {
  name: LensName;
  /** The packet type in the protocol's own terms: `EVENT`, `PUBLISH`, `subscribe`, `request`, ... */
  type: string;
  /** One line, e.g. `EVENT message /chat ack 17` or `PUBLISH sensors/t1 QoS1 #42`. */
  summary: string;
  event?: string;
  channel?: string;
  id?: string | number;
  /** JSON-safe; bytes as `{ _binary: base64 }`. */
  data?: unknown;
  /**
   * The packet's other fields in the protocol's own terms, JSON-safe (bytes as `{ _binary: base64 }`):
   * MQTT's QoS, retain, dup and MQTT 5 properties, STOMP's headers, SignalR's streamIds. For the detail
   * tree and for filters; optional in HAR's `_protocol`.
   */
  fields?: Record<string, unknown>;
  /** Set when the packet is one side of a request and its answer. */
  link?: PacketLink;
}

/** What a lens makes of one message: zero or more packets, and problems when the bytes break the protocol. */
export interface LensResult {
  packets: ProtocolPacket[];
  /**
   * A message that holds only part of a packet (a Socket.IO binary attachment still to come, an MQTT
   * packet split across messages) gives no packets and `pending: true`; the packet is given with the
   * message that completes it.
   */
  pending?: boolean;
  /** What did not parse, in words; the message is still shown raw. */
  problems?: string[];
}

/** The decoding state for one connection; feed it every message of the connection in order. */
export interface LensDecoder {
  decode(message: LensMessage): LensResult;
}

export interface Lens {
  name: LensName;
  /**
   * How sure the lens is that a connection speaks its protocol, from 0 (not at all) to 1 (the
   * subprotocol or URL says so), given the handshake and the connection's first messages (possibly
   * none yet). Auto-detection picks the highest score above 0.5.
   */
  detect(connection: LensConnection, first: readonly LensMessage[]): number;
  /** A fresh decoder for one connection. */
  decoder(connection: LensConnection): LensDecoder;
}
