// The dialog that is open, if any.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { ConnectHelpDialog } from './ConnectHelpDialog.js';
import { ErrorsDialog } from './ErrorsDialog.js';
import { NewSessionDialog, OpenSessionDialog, SaveSessionDialog } from './SessionDialogs.js';
import { CloseConnectionDialog, OpenClientDialog } from './ConnectionDialogs.js';
import { ReplayDialog } from '../replay/ReplayDialog.js';

export function Dialogs() {
  const { view } = useApp();
  useStore(view);
  const close = () => view.open(undefined);
  switch (view.dialog) {
    case 'connect-help': return <ConnectHelpDialog onClose={close} />;
    case 'errors': return <ErrorsDialog onClose={close} />;
    case 'open-session': return <OpenSessionDialog onClose={close} />;
    case 'save-session': return <SaveSessionDialog onClose={close} />;
    case 'new-session': return <NewSessionDialog onClose={close} />;
    case 'open-client': return <OpenClientDialog onClose={close} />;
    case 'replay': return <ReplayDialog onClose={close} />;
    case 'close-connection': return <CloseConnectionDialog onClose={close} />;
    default: return null;
  }
}
