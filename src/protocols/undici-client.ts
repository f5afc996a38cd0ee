// undici's Client and errors, loaded when the first connection is made and without undici's
// index. The index also loads fetch, cookies, caches, mocks, its WebSocket and EventSource,
// about three times the code a Client needs, and every sockcap process and worker thread
// paid for it at start-up (~110 ms of CPU each); the coordinator, which makes no HTTP
// connection of a step, now loads none of it. The request API (`client.request`, used by
// HTTP sessions) is put on Dispatcher's prototype here exactly as undici's index does it.
import { createRequire } from 'node:module';
import type * as undici from 'undici';

const require = createRequire(import.meta.url);

export type Client = undici.Client;

interface UndiciParts {
  Client: typeof undici.Client;
  errors: typeof undici.errors;
}

let loaded: UndiciParts | undefined;

export function undiciParts(): UndiciParts {
  if (!loaded) {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof undici.Dispatcher;
    Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js') as object);
    loaded = {
      Client: require('undici/lib/dispatcher/client.js') as typeof undici.Client,
      errors: require('undici/lib/core/errors.js') as typeof undici.errors,
    };
  }
  return loaded;
}
