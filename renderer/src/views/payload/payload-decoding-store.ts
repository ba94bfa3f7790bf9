// The Decode tab's choices per connection, as the engine keeps them (getPayloadDecoding /
// setPayloadDecoding), with each connection's .proto text parsed once here for decoding.
import { Observable } from '../../model/observable.js';
import type { ControlClient } from '../../api/control-client.js';
import type { PayloadDecodeAs, PayloadDecodingState, PayloadProtoChoice } from '../../../../src/control/api-types.js';
import { parseProtoSchema, type ProtoSchema } from '../../../../src/protocol/payload/protobuf-schema.js';
import type { PayloadSchemaChoice } from '../../../../src/protocol/payload/payload-decode.js';

export class PayloadDecodingStore extends Observable {
  private readonly states = new Map<number, PayloadDecodingState>();
  private readonly loading = new Set<number>();
  private readonly schemas = new Map<number, { text: string; choice: PayloadSchemaChoice }>();
  /** The last refusal per connection (a .proto that does not parse), shown beside the editor. */
  readonly errors = new Map<number, string>();

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** The connection's choice; asks the engine the first time (until it answers: auto, no schema). */
  state(connectionId: number): PayloadDecodingState {
    const known = this.states.get(connectionId);
    if (known) return known;
    if (!this.loading.has(connectionId)) {
      this.loading.add(connectionId);
      this.client.request('getPayloadDecoding', { connectionId }).then(
        (state) => this.accept(state),
        (error: Error) => { this.errors.set(connectionId, error.message); this.changed(); },
      ).finally(() => this.loading.delete(connectionId));
    }
    return { connectionId, decodeAs: 'auto' };
  }

  /** The schema and type to decode with, when the connection has one (the same object until they change). */
  schema(connectionId: number): PayloadSchemaChoice | undefined {
    const proto = this.states.get(connectionId)?.proto;
    if (!proto) return undefined;
    const cached = this.schemas.get(connectionId);
    if (cached && cached.text === proto.text && cached.choice.type === proto.messageType) return cached.choice;
    let schema: ProtoSchema;
    try {
      schema = parseProtoSchema(proto.text);
    } catch {
      return undefined;
    }
    const choice = { schema, type: proto.messageType };
    this.schemas.set(connectionId, { text: proto.text, choice });
    return choice;
  }

  setDecodeAs(connectionId: number, decodeAs: PayloadDecodeAs): Promise<void> {
    return this.update(connectionId, { decodeAs });
  }

  /** Sets (or with null removes) the connection's .proto text and message type; resolves false when the engine refused it. */
  async setProto(connectionId: number, proto: PayloadProtoChoice | null): Promise<boolean> {
    await this.update(connectionId, proto ? { proto, decodeAs: 'protobuf' } : { proto: null });
    return !this.errors.has(connectionId);
  }

  private async update(connectionId: number, change: { decodeAs?: PayloadDecodeAs; proto?: PayloadProtoChoice | null }): Promise<void> {
    try {
      this.accept(await this.client.request('setPayloadDecoding', { connectionId, ...change }));
    } catch (error) {
      this.errors.set(connectionId, (error as Error).message);
      this.changed();
    }
  }

  private accept(state: PayloadDecodingState): void {
    this.states.set(state.connectionId, state);
    this.errors.delete(state.connectionId);
    this.changed();
  }
}

const stores = new WeakMap<ControlClient, PayloadDecodingStore>();

/** One store per control client: the Decode tab is its only user, so it is made on first use. */
export function payloadDecodingStore(client: ControlClient): PayloadDecodingStore {
  let store = stores.get(client);
  if (!store) stores.set(client, (store = new PayloadDecodingStore(client)));
  return store;
}
