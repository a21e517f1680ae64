/** Jest set-up shared by API test files (kept apart from api-server.ts, which benchmarks import too). */
import { ApiServer, startApiServer } from './api-server';

/**
 * The usual set-up of an API test file: an emulator and an API server started before its first
 * test and stopped after its last. The object returned stands for the server once started.
 */
export function apiServerForThisFile(env: Record<string, string> = {}): ApiServer {
  let server: ApiServer | undefined;
  let stopEmulator: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const { useEmulator } = await import('./emulator');
    stopEmulator = (await useEmulator()).stop;
    server = await startApiServer(undefined, env);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await stopEmulator?.();
  });
  const started = (): ApiServer => {
    if (!server) throw new Error('the API server starts in beforeAll; use it inside a test');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get projectId() {
      return started().projectId;
    },
    get db() {
      return started().db;
    },
    get runtime() {
      return started().runtime;
    },
    get logs() {
      return started().logs;
    },
    close: async () => started().close(),
  };
}
