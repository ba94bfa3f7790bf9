// The frame list's Protocol column: the one-line summary of the packets in the message a frame
// completes (`EVENT message /chat ack 17`), marked when the packet asks for or gives an answer.
import { useProtocol } from './use-protocol.js';

export function ProtocolCell({ connectionId, frame }: { connectionId: number; frame: number }) {
  const protocol = useProtocol();
  const line = protocol.line(connectionId, frame);
  return (
    <span className="td protocol-cell" title={line?.summary}>
      {line?.link ? <span className={`protocol-link-mark link-${line.link}`} title={line.link === 'request' ? 'Waits for an answer (see the Protocol tab)' : 'Answers a request (see the Protocol tab)'}>{line.link === 'request' ? '→' : '←'}</span> : null}
      {line?.summary ?? ''}
    </span>
  );
}
