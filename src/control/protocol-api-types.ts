// The control API's protocol lenses and payload decoding (part of api-types.ts, the one contract;
// types only).
export type { LensChoice } from '../protocol/lenses/lens-names.js';
export type { PayloadDecodeAs, PayloadDecodingState, PayloadProtoChoice } from '../protocol/payload/payload-decoding.js';
import type { PayloadDecodeAs, PayloadDecodingState, PayloadProtoChoice } from '../protocol/payload/payload-decoding.js';
export type { LensName, ProtocolPacket } from '../protocol/lenses/lens.js';
import type { LensChoice } from '../protocol/lenses/lens-names.js';
import type { LensName, ProtocolPacket } from '../protocol/lenses/lens.js';

export interface ProtocolLensState {
  connectionId: number;
  /** What the user chose ('auto' when nothing). */
  choice: LensChoice;
  /** The lens reading the connection, if any. */
  lens?: LensName;
  /** Auto-detection's scores above 0, best first. */
  scores: { name: LensName; score: number }[];
  /** Every lens there is (what a picker offers). */
  available: LensName[];
}

/** Where a packet is: its message's number and its place among the message's packets. */
export interface PacketPlace {
  message: number;
  packet: number;
  /** The frame that completed that message (to jump to it in a frame list), when it had frames. */
  frame?: number;
}

export interface ProtocolPacketInfo extends ProtocolPacket {
  /** For an answer: its request. */
  request?: PacketPlace;
  /** For a request: its answers so far (the first 1000). */
  answers?: PacketPlace[];
  /** For a request: how many answers came after the first 1000 (counted, not listed). */
  moreAnswers?: number;
  /** Milliseconds from the request to this answer (or, on a request, to its first answer). */
  latencyMs?: number;
  /** On a request: too many requests were waiting for answers and this one was let go; later answers to it are not linked. */
  unfollowed?: boolean;
}

export interface ProtocolMessageInfo {
  number: number;
  packets: ProtocolPacketInfo[];
  /** The message holds part of a packet that a later message completes. */
  pending?: boolean;
  /** What did not parse. */
  problems?: string[];
}

/** A filter hit: the message, the frame that completed it (when it had frames), and its protocol line. */
export interface ProtocolHit { message: number; frame?: number; summary: string }

/** A packet for the composer to encode. */
export type ProtocolPacketSpec =
  | { kind: 'socket.io-emit'; event: string; args: unknown[]; namespace?: string; ackId?: number }
  | { kind: 'mqtt-publish'; topic: string; payload: string; qos?: 0 | 1 | 2; retain?: boolean; packetId?: number };

/** Protocol and payload commands. */
export interface ProtocolCommands {
  /** A connection's protocol lens: the user's choice, the lens reading it, and detection's scores. */
  getProtocolLens: { params: { connectionId: number }; result: ProtocolLensState };
  /** Chooses a connection's lens (a name, 'auto' or 'none'); kept in the session with the connection's mark. */
  setProtocolLens: { params: { connectionId: number; lens: LensChoice }; result: ProtocolLensState };
  /** Messages start..end read through the connection's lens (decoded when asked), with links and latency. */
  queryProtocol: { params: { connectionId: number; start: number; end: number }; result: { lens?: LensName; messages: ProtocolMessageInfo[] } };
  /** The protocol line of the messages that frames complete (a frame list's Protocol column). */
  protocolForFrames: { params: { connectionId: number; frames: number[] }; result: { frames: { frame: number; message: number; summary: string; link?: 'request' | 'answer' }[] } };
  /**
   * Message numbers whose packets pass a protocol filter (`socket.io.event:message`), scanning from
   * `from`; stops at `limit` hits (default 500) or after a slice of work, and says where to go on (next).
   */
  filterProtocol: { params: { connectionId: number; filter: string; from?: number; limit?: number }; result: { numbers: number[]; hits: ProtocolHit[]; next?: number; total: number } };
  /** How a connection's payloads are decoded in the Decode tab: the encoding, and the .proto text and message type for protobuf. */
  getPayloadDecoding: { params: { connectionId: number }; result: PayloadDecodingState };
  /** Sets the encoding and/or the .proto schema (null removes it); a schema that does not parse or lacks the type is refused with protobufjs's words. */
  setPayloadDecoding: { params: { connectionId: number; decodeAs?: PayloadDecodeAs; proto?: PayloadProtoChoice | null }; result: PayloadDecodingState };
  /** Encodes a packet in a protocol (a Socket.IO emit, an MQTT publish) as a message to put in the composer; checked by reading it back. */
  encodeProtocolPacket: { params: { connectionId: number; packet: ProtocolPacketSpec }; result: { opcode: 1 | 2; dataBase64: string; summary: string } };
}
