// "Copy as script" for a connection: a JavaScript or Python script that opens it again and sends what
// its server received (src/snippets/), copied to the clipboard.
import type { AppModel } from '../../model/app-model.js';
import { snippetConnection, snippetMessages } from '../../model/snippet-source.js';
import { copyText } from '../clipboard.js';
import { connectionAsJavaScript } from '../../../../src/snippets/javascript-snippet.js';
import { connectionAsPython } from '../../../../src/snippets/python-snippet.js';

export async function copyConnectionScript(app: AppModel, connectionId: number, language: 'javascript' | 'python'): Promise<void> {
  try {
    const [connection, messages] = await Promise.all([snippetConnection(app.client, connectionId), snippetMessages(app.client, connectionId)]);
    await copyText(language === 'javascript' ? connectionAsJavaScript(connection, messages) : connectionAsPython(connection, messages));
    app.view.notify(`Copied connection #${connectionId} as a ${language === 'javascript' ? 'JavaScript' : 'Python'} script`);
  } catch (error) {
    app.view.notify(`Could not copy: ${(error as Error).message}`, 'error');
  }
}
