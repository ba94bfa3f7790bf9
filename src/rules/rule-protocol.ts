// The extension point for matching protocol fields (mqtt.topic, socketio.event, ...): the lens
// registry plugs its matcher in here once it exists; until then a rule with a protocol match is
// valid but matches nothing, and rules-file validation says so (protocolFieldsAvailable).

/** Whether a message's decoded protocol packet has the field with the value (or matching the pattern). */
export type ProtocolFieldMatcher = (
  message: { opcode: number; data: Buffer },
  connection: { url: string; protocol?: string },
  field: string,
  test: (value: unknown) => boolean,
) => boolean;

let matcher: ProtocolFieldMatcher | undefined;

/** The lens registry registers its matchProtocolField here. */
export function setProtocolFieldMatcher(m: ProtocolFieldMatcher | undefined): void {
  matcher = m;
}

export function protocolFieldMatcher(): ProtocolFieldMatcher | undefined {
  return matcher;
}
