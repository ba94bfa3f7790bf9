// The pinned frames (or messages) of the connection: one click shows a pinned row in the list.
import { useApp } from '../app-context.js';
import { useStore, useStoreValue } from '../use-store.js';
import { Menu } from '../common/Menu.js';
import { Icon } from '../common/Icon.js';

export function PinnedMenu() {
  const { annotations, view, frames, messages } = useApp();
  useStore(annotations);
  const frameConnection = useStoreValue(frames, (f) => f.connectionId);
  useStore(messages);
  const byMessage = messages.connectionId !== undefined;
  const connectionId = byMessage ? messages.connectionId : frameConnection;
  if (connectionId === undefined) return null;
  const target = byMessage ? 'message' : 'frame';
  const pinned = annotations.pinned(connectionId, target);
  return (
    <Menu
      className="pinned-menu"
      label={<><Icon name="pin" size={14} /> Pinned{pinned.length > 0 ? <span className="count-badge">{pinned.length}</span> : null}</>}
      ariaLabel="Pinned"
      items={pinned.length === 0
        ? [{ label: `No pinned ${target}s: pin one in its detail`, onSelect: () => undefined, disabled: true }]
        : pinned.map((a) => ({ label: `#${a.number}${a.note ? ` · ${a.note.split('\n')[0]!.slice(0, 60)}` : ''}`, onSelect: () => (byMessage ? view.revealMessage(a.number) : view.revealFrame(a.number)) }))}
    />
  );
}
