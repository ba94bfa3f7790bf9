// Writes a live Session to a capture store as it happens: every connection record (again on each
// update: the last one wins), frame, message and error. What the session held before the call is
// not written: attach the recorder when the session is created.
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from './capture-model.js';
import type { CaptureStore } from './capture-store.js';
import type { Session, SessionError } from './session.js';

/**
 * Subscribes the store to the session's events; returns the function that unsubscribes it. `accept`
 * leaves connections out (those that began while recording was off).
 */
export function recordSession(session: Session, store: CaptureStore, accept: (connection: ConnectionRecord) => boolean = () => true): () => void {
  const onConnection = (connection: ConnectionRecord) => {
    if (accept(connection)) store.putConnection(connection);
  };
  const onFrame = (connection: ConnectionRecord, frame: CapturedFrame) => {
    if (accept(connection)) store.putFrame(connection.id, frame);
  };
  const onMessage = (connection: ConnectionRecord, message: CapturedMessage) => {
    if (accept(connection)) store.putMessage(connection.id, message);
  };
  const onError = (error: SessionError) => store.putError(error);

  session.on('connection-opened', onConnection);
  session.on('connection-updated', onConnection);
  session.on('frame', onFrame);
  session.on('message', onMessage);
  session.on('connection-closed', onConnection);
  session.on('error', onError);
  return () => {
    session.off('connection-opened', onConnection);
    session.off('connection-updated', onConnection);
    session.off('frame', onFrame);
    session.off('message', onMessage);
    session.off('connection-closed', onConnection);
    session.off('error', onError);
  };
}
