// undici's Client and errors without undici's index: the index also loads fetch, cookies,
// caches, mocks, its WebSocket and EventSource, about three times the code a Client needs,
// and every sockcap process and worker thread paid for it at start-up (~110 ms of CPU each).
// The request API (`client.request`, used by HTTP sessions) is put on Dispatcher's prototype
// here exactly as undici's index does it.
import { createRequire } from 'node:module';
import type * as undici from 'undici';

const require = createRequire(import.meta.url);

const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof undici.Dispatcher;
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js') as object);

export const Client = require('undici/lib/dispatcher/client.js') as typeof undici.Client;
export type Client = undici.Client;
export const errors = require('undici/lib/core/errors.js') as typeof undici.errors;
