// @rails/actioncable ships no types: the parts the lens tests use.
declare module '@rails/actioncable' {
  export const adapters: { WebSocket: unknown; logger: unknown };
  export interface Subscription {
    perform(action: string, data?: Record<string, unknown>): boolean;
    unsubscribe(): void;
  }
  export interface Consumer {
    subscriptions: {
      create(channel: Record<string, unknown>, mixin: { connected?(): void; received?(data: unknown): void }): Subscription;
    };
    disconnect(): void;
  }
  export function createConsumer(url?: string): Consumer;
}
