// Child process: the plain `ws` echo server the tests use, on a free port, until SIGTERM.
// Prints `ws echo server listening on http://127.0.0.1:PORT` once it accepts connections.
import { startWsEchoServer } from '../../test/servers/ws-echo-server.js';

const server = await startWsEchoServer();
console.log(`ws echo server listening on ${server.url}`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
