// The protocol registry: a new protocol is one file plus one line here.
import type { Protocol } from '../scenario/types.js';
import type { DriverFactory } from './driver.js';
import { createHttpDriver } from './http.js';
import { createTcpDriver } from './tcp.js';
import { createWebSocketDriver } from './websocket.js';

const drivers: Partial<Record<Protocol, DriverFactory>> = {
  http: createHttpDriver,
  websocket: createWebSocketDriver,
  tcp: createTcpDriver,
};

export function driverFor(protocol: Protocol): DriverFactory | undefined {
  return drivers[protocol];
}

export function supportedProtocols(): Protocol[] {
  return Object.keys(drivers) as Protocol[];
}
