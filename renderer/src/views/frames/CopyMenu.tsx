// Copies content as text (UTF-8), hex digits or base64, and says what it copied.
import { useApp } from '../app-context.js';
import { Icon } from '../common/Icon.js';
import { Menu } from '../common/Menu.js';
import { copyText } from '../clipboard.js';
import { bytesToBase64, bytesToHex, decodeUtf8 } from '../../protocol/bytes.js';

/** `what` names the content in the notice: "the message", "the payload". */
export function CopyMenu({ bytes, what }: { bytes: Uint8Array; what: string }) {
  const { view } = useApp();
  const copy = async (as: 'text' | 'hex' | 'base64') => {
    const text = as === 'text' ? decodeUtf8(bytes).text : as === 'hex' ? bytesToHex(bytes) : bytesToBase64(bytes);
    await copyText(text);
    view.notify(`Copied ${what} as ${as}`);
  };
  return (
    <Menu label={<><Icon name="copy" size={14} /> Copy</>} items={[
      { label: 'As text', onSelect: () => void copy('text') },
      { label: 'As hex', onSelect: () => void copy('hex') },
      { label: 'As base64', onSelect: () => void copy('base64') },
    ]} />
  );
}
