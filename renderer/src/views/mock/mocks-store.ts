// The mocks the engine runs (startMock/stopMock/listMocks): started from a connection's actions,
// shown with their address and a Stop button. One store per app, made on first use.
import { perApp } from '../../model/per-app.js';
import { Observable } from '../../model/observable.js';
import type { AppModel } from '../../model/app-model.js';
import type { ControlClient } from '../../api/control-client.js';
import type { MockInfo } from '../../api/wire.js';

export class MocksStore extends Observable {
  /** The mocks running, oldest first. */
  mocks: MockInfo[] = [];

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** Serves a connection of the browsed session; resolves with the new mock. */
  async start(connectionId: number): Promise<MockInfo> {
    const mock = await this.client.request('startMock', { connectionId });
    this.mocks = [...this.mocks.filter((m) => m.id !== mock.id), mock];
    this.changed();
    return mock;
  }

  async stop(id: number): Promise<void> {
    await this.client.request('stopMock', { id });
    this.mocks = this.mocks.filter((m) => m.id !== id);
    this.changed();
  }

  /** Reads the list again (connections served and unexpected messages change as clients use a mock). */
  async refresh(): Promise<void> {
    this.mocks = await this.client.request('listMocks', {});
    this.changed();
  }
}

export const mocksOf = perApp((app: AppModel) => new MocksStore(app.client));

/** "Mock this connection": starts a mock and says where it listens. */
export function mockConnection(app: AppModel, connectionId: number): void {
  mocksOf(app).start(connectionId).then(
    (mock) => app.view.notify(`Mock of #${connectionId} listening at ${mock.url}`),
    (e: Error) => app.view.notify(e.message, 'error'),
  );
}
