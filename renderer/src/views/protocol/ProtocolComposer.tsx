// Writes a packet in the connection's protocol into the composer: a Socket.IO emit (event, namespace,
// arguments, an ack id when it wants an answer) or an MQTT publish (topic, payload, QoS, retain). The
// engine encodes it and reads it back; the composer then holds the bytes, and raw stays available.
import { useState } from 'react';
import { useApp } from '../app-context.js';
import { useProtocol } from './use-protocol.js';
import type { ProtocolPacketSpec } from '../../api/wire.js';

export function ProtocolComposer({ connectionId }: { connectionId: number }) {
  const { client, composer, view } = useApp();
  const protocol = useProtocol();
  const state = protocol.lens(connectionId);
  const [event, setEvent] = useState('message');
  const [namespace, setNamespace] = useState('/');
  const [args, setArgs] = useState('[{"text":"hi"}]');
  const [ack, setAck] = useState('');
  const [topic, setTopic] = useState('');
  const [payload, setPayload] = useState('');
  const [qos, setQos] = useState<0 | 1 | 2>(0);
  const [retain, setRetain] = useState(false);
  const [packetId, setPacketId] = useState('1');
  const [written, setWritten] = useState<string>();
  const lens = state?.lens;
  if (lens !== 'socket.io' && lens !== 'mqtt') return null;

  const encode = async () => {
    let packet: ProtocolPacketSpec;
    try {
      if (lens === 'socket.io') {
        const parsed = JSON.parse(args) as unknown;
        if (!Array.isArray(parsed)) throw new Error('the arguments are a JSON array');
        packet = { kind: 'socket.io-emit', event, namespace, args: parsed, ...(ack.trim() !== '' ? { ackId: Number(ack) } : {}) };
      } else {
        packet = { kind: 'mqtt-publish', topic, payload, qos, retain, ...(qos > 0 ? { packetId: Number(packetId) } : {}) };
      }
      const encoded = await client.request('encodeProtocolPacket', { connectionId, packet });
      composer.loadEncoded('send', encoded.opcode, encoded.dataBase64);
      setWritten(encoded.summary);
    } catch (error) {
      view.notify((error as Error).message, 'error');
    }
  };

  return (
    <div className="protocol-composer" aria-label="Protocol composer">
      <h4>Write a {lens === 'socket.io' ? 'Socket.IO emit' : 'MQTT publish'}</h4>
      {lens === 'socket.io' ? (
        <div className="form-grid">
          <label htmlFor="sio-event">Event</label><input id="sio-event" value={event} onChange={(e) => setEvent(e.target.value)} />
          <label htmlFor="sio-nsp">Namespace</label><input id="sio-nsp" value={namespace} onChange={(e) => setNamespace(e.target.value)} />
          <label htmlFor="sio-args">Arguments (JSON array)</label><input id="sio-args" value={args} spellCheck={false} onChange={(e) => setArgs(e.target.value)} />
          <label htmlFor="sio-ack">Ack id (empty: none)</label><input id="sio-ack" value={ack} inputMode="numeric" onChange={(e) => setAck(e.target.value)} />
        </div>
      ) : (
        <div className="form-grid">
          <label htmlFor="mqtt-topic">Topic</label><input id="mqtt-topic" value={topic} onChange={(e) => setTopic(e.target.value)} />
          <label htmlFor="mqtt-payload">Payload</label><input id="mqtt-payload" value={payload} onChange={(e) => setPayload(e.target.value)} />
          <label htmlFor="mqtt-qos">QoS</label>
          <select id="mqtt-qos" value={qos} onChange={(e) => setQos(Number(e.target.value) as 0 | 1 | 2)}><option value={0}>0</option><option value={1}>1</option><option value={2}>2</option></select>
          <label htmlFor="mqtt-id">Packet id</label><input id="mqtt-id" value={packetId} disabled={qos === 0} onChange={(e) => setPacketId(e.target.value)} />
          <label htmlFor="mqtt-retain">Retain</label><input id="mqtt-retain" type="checkbox" checked={retain} onChange={(e) => setRetain(e.target.checked)} />
        </div>
      )}
      <button className="button" onClick={() => void encode()}>Put in the composer</button>
      {written ? <span className="muted small" data-encoded={written}> wrote {written}</span> : null}
    </div>
  );
}
