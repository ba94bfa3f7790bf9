// "Copy as" a message: code that sends it again (JavaScript with ws, Python with websockets, websocat,
// framescope send) or its HAR JSON. The code is made by the pure generators in src/snippets/.
import { useApp } from '../app-context.js';
import { Icon } from '../common/Icon.js';
import { Menu } from '../common/Menu.js';
import { copyText } from '../clipboard.js';
import { snippetConnection } from '../../model/snippet-source.js';
import { messageAsJavaScript } from '../../../../src/snippets/javascript-snippet.js';
import { messageAsPython } from '../../../../src/snippets/python-snippet.js';
import { messageAsFramescopeSend, messageAsWebsocat } from '../../../../src/snippets/shell-snippet.js';
import { messageAsJson } from '../../../../src/snippets/json-snippet.js';
import type { SnippetConnection, SnippetMessage } from '../../../../src/snippets/snippet-input.js';

const FORMATS: { label: string; make: (connection: SnippetConnection, message: SnippetMessage) => string }[] = [
  { label: 'JavaScript (ws)', make: messageAsJavaScript },
  { label: 'Python (websockets)', make: messageAsPython },
  { label: 'websocat', make: messageAsWebsocat },
  { label: 'framescope send', make: messageAsFramescopeSend },
  { label: 'JSON', make: (_connection, message) => messageAsJson(message) },
];

export function CopyAsMenu({ connectionId, message, number }: { connectionId: number; message: SnippetMessage; number: number }) {
  const { client, view } = useApp();
  const copy = async (format: (typeof FORMATS)[number]) => {
    try {
      await copyText(format.make(await snippetConnection(client, connectionId), message));
      view.notify(`Copied message #${number} as ${format.label}`);
    } catch (error) {
      view.notify(`Could not copy: ${(error as Error).message}`, 'error');
    }
  };
  return (
    <Menu label={<><Icon name="copy" size={14} /> Copy as</>} ariaLabel="Copy as code" items={FORMATS.map((format) => ({ label: format.label, onSelect: () => void copy(format) }))} />
  );
}
