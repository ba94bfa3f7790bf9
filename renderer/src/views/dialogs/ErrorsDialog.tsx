// The engine's error log: failed upstream connections, TLS problems, write errors.
import { useEffect } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { dateTime } from '../format.js';

export function ErrorsDialog({ onClose }: { onClose: () => void }) {
  const { session, connections } = useApp();
  useStore(session);
  useEffect(() => session.markErrorsSeen(), [session]);
  return (
    <Modal title="Engine errors" onClose={onClose} wide>
      {session.errors.length === 0 ? <p className="muted">No errors.</p> : (
        <table className="kv-table errors-table">
          <tbody>
            {[...session.errors].reverse().map((e, i) => (
              <tr key={i}>
                <th>{dateTime(e.time)}</th>
                <td>
                  {e.connectionId !== undefined ? <button className="link-button" onClick={() => { connections.select(e.connectionId); onClose(); }}>#{e.connectionId}</button> : null} {e.message}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
