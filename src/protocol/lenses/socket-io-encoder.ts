// Writes a Socket.IO EVENT (an emit, with an ack id when it wants an answer) as the Engine.IO
// `message` text that carries it, the way socket.io-parser's Encoder does for packets without binary.
export interface SocketIoEmit {
  event: string;
  args: readonly unknown[];
  /** The namespace, `/` by default. */
  namespace?: string;
  /** Asks for an acknowledgement with this id. */
  ackId?: number;
}

export function encodeSocketIoEmit(emit: SocketIoEmit): string {
  const nsp = emit.namespace && emit.namespace !== '/' ? `${emit.namespace.startsWith('/') ? '' : '/'}${emit.namespace},` : '';
  if (emit.ackId !== undefined && (!Number.isInteger(emit.ackId) || emit.ackId < 0)) throw new Error('an ack id is a whole number from 0');
  return `42${nsp}${emit.ackId ?? ''}${JSON.stringify([emit.event, ...emit.args])}`;
}
