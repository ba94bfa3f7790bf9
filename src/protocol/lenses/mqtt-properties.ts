// MQTT 5 properties (MQTT 5 §2.2.2.2): a variable byte integer length, then identifier/value pairs.
// They are read into an object named the way mqtt.js names them, so a user sees the names their client uses.
import { binaryJson } from '../payload/json-safe.js';
import { MqttFormatError, MqttReader } from './mqtt-reader.js';

type PropertyKind = 'byte' | 'uint16' | 'uint32' | 'varint' | 'string' | 'binary' | 'pair';

const PROPERTIES: Record<number, [name: string, kind: PropertyKind]> = {
  0x01: ['payloadFormatIndicator', 'byte'],
  0x02: ['messageExpiryInterval', 'uint32'],
  0x03: ['contentType', 'string'],
  0x08: ['responseTopic', 'string'],
  0x09: ['correlationData', 'binary'],
  0x0b: ['subscriptionIdentifier', 'varint'],
  0x11: ['sessionExpiryInterval', 'uint32'],
  0x12: ['assignedClientIdentifier', 'string'],
  0x13: ['serverKeepAlive', 'uint16'],
  0x15: ['authenticationMethod', 'string'],
  0x16: ['authenticationData', 'binary'],
  0x17: ['requestProblemInformation', 'byte'],
  0x18: ['willDelayInterval', 'uint32'],
  0x19: ['requestResponseInformation', 'byte'],
  0x1a: ['responseInformation', 'string'],
  0x1c: ['serverReference', 'string'],
  0x1f: ['reasonString', 'string'],
  0x21: ['receiveMaximum', 'uint16'],
  0x22: ['topicAliasMaximum', 'uint16'],
  0x23: ['topicAlias', 'uint16'],
  0x24: ['maximumQoS', 'byte'],
  0x25: ['retainAvailable', 'byte'],
  0x26: ['userProperties', 'pair'],
  0x27: ['maximumPacketSize', 'uint32'],
  0x28: ['wildcardSubscriptionAvailable', 'byte'],
  0x29: ['subscriptionIdentifierAvailable', 'byte'],
  0x2a: ['sharedSubscriptionAvailable', 'byte'],
};

/** Property name → identifier, for the encoder. */
export const PROPERTY_IDS: Record<string, [id: number, kind: PropertyKind]> = Object.fromEntries(
  Object.entries(PROPERTIES).map(([id, [name, kind]]) => [name, [Number(id), kind]]),
);

export type MqttProperties = Record<string, unknown>;

/**
 * Reads a property list. User properties gather into one object (a name sent twice keeps both values in
 * an array); a repeated subscription identifier becomes an array; bytes become `{ _binary }`.
 */
export function readProperties(reader: MqttReader): MqttProperties {
  const length = reader.varint('the property length');
  if (length > reader.remaining) throw new MqttFormatError(`the properties claim ${length} bytes, ${reader.remaining} left`);
  const inner = new MqttReader(reader.bytes.subarray(reader.offset, reader.offset + length));
  reader.offset += length;
  const properties: MqttProperties = {};
  while (inner.remaining > 0) {
    const id = inner.varint('a property identifier');
    const known = PROPERTIES[id];
    if (!known) throw new MqttFormatError(`unknown property identifier 0x${id.toString(16).padStart(2, '0')}`);
    const [name, kind] = known;
    if (kind === 'pair') {
      const key = inner.string('a user property name');
      const value = inner.string('a user property value');
      const users = (properties.userProperties ??= {}) as Record<string, string | string[]>;
      const previous = users[key];
      users[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
      continue;
    }
    const value = kind === 'byte' ? inner.byte(name) : kind === 'uint16' ? inner.uint16(name) : kind === 'uint32' ? inner.uint32(name)
      : kind === 'varint' ? inner.varint(name) : kind === 'string' ? inner.string(name) : binaryJson(inner.binary(name));
    if (name === 'subscriptionIdentifier' && name in properties) {
      const previous = properties[name];
      properties[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    } else {
      properties[name] = value;
    }
  }
  return properties;
}
