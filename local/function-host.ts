/**
 * Serves one function target the way functions-framework's own CLI does — its option parsing, its
 * loader, its express server, its crash handling — but listening on 127.0.0.1 only. The CLI
 * (functions-framework 5.0.x) has no host option and listens on every interface, which would put
 * the unauthenticated trigger and scheduler endpoints of the local stack on the network.
 * Run as: node function-host.js --target=NAME --port=P --source=DIR [--signature-type=cloudevent]
 */
import { dirname, join } from 'node:path';

export const LISTEN_HOST = '127.0.0.1';

interface FrameworkOptions {
  port: string;
  target: string;
  sourceLocation: string;
  signatureType: string;
}
interface HttpServer {
  listen(port: number, host: string, cb: () => void): HttpServer;
  setTimeout(ms: number): HttpServer;
  once(e: 'error', l: (err: Error) => void): void;
}

async function main(): Promise<void> {
  const fw = dirname(require.resolve('@google-cloud/functions-framework'));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parseOptions } = require(join(fw, 'options.js')) as { parseOptions: (argv: string[], env: NodeJS.ProcessEnv) => FrameworkOptions };
  const { getUserFunction } = require(join(fw, 'loader.js')) as {
    getUserFunction: (source: string, target: string, signature: string) => Promise<{ userFunction: unknown; signatureType: string } | null>;
  };
  // Called through the module object, as the CLI does, so wrappers of getServer (functions/api/body-gate.ts) apply.
  const server = require(join(fw, 'server.js')) as { getServer: (fn: unknown, options: FrameworkOptions) => HttpServer };
  const { ErrorHandler } = require(join(fw, 'invoker.js')) as { ErrorHandler: new (s: HttpServer) => { register(): void } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const options = parseOptions(process.argv, process.env);
  const loaded = await getUserFunction(options.sourceLocation, options.target, options.signatureType);
  if (!loaded) {
    process.stderr.write(`could not load function ${options.target}\n`);
    process.exit(1);
  }
  options.signatureType = loaded.signatureType;
  const srv = server.getServer(loaded.userFunction, options);
  srv.once('error', (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
  srv
    .listen(Number(options.port), LISTEN_HOST, () => {
      new ErrorHandler(srv).register();
      process.stdout.write(`Serving function ${options.target} (${loaded.signatureType}) on http://${LISTEN_HOST}:${options.port}/\n`);
    })
    .setTimeout(0);
}

if (require.main === module) void main();
