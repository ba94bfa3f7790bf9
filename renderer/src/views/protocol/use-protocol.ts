// The window's protocol store, its caches tied to the browsed session.
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { protocolStoreOf, type ProtocolStore } from '../../model/protocol-store.js';

export function useProtocol(): ProtocolStore {
  const { client, session } = useApp();
  useStore(session);
  const protocol = protocolStoreOf(client);
  protocol.useSession(session.session?.name);
  useStore(protocol);
  return protocol;
}
