// A connection's Decode-tab choices, as the control API carries them (getPayloadDecoding /
// setPayloadDecoding): types only, shared by the engine and the UI.

/** What a Decode tab reads a payload as. */
export type PayloadDecodeAs = 'auto' | 'json' | 'msgpack' | 'cbor' | 'protobuf';

/** The user's .proto text for a connection and the message type its payloads are. */
export interface PayloadProtoChoice {
  text: string;
  messageType: string;
}

export interface PayloadDecodingState {
  connectionId: number;
  decodeAs: PayloadDecodeAs;
  proto?: PayloadProtoChoice;
  /** The message types the .proto declares, for the type picker. */
  protoTypes?: string[];
}
