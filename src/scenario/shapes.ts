// The field tables of a scenario: one parser per key, nested for the sections. Adding a
// field is a line here (and its type and default), never a new branch.
import { thresholdList } from './threshold-field.js';
import { processCount, sources, workerCount } from './capacity-fields.js';
import { defaults, maxProcesses, maxWorkers } from './defaults.js';
import {
  boolean,
  eventName,
  jsonObject,
  textMap,
  jsonField,
  list,
  mappingSchema,
  metricPrefix,
  metricsUrl,
  nonEmptyText,
  oneOf,
  optionalJsonField,
  parseMapping,
  parser,
  queryParameter,
  requestPath,
  section,
  target,
  text,
  whole,
  type Fields,
  type Shape,
} from './parsers.js';
import { headers, headerName } from './header-parsers.js';
import { stageTarget, rate, size, duration, above, atLeast } from './quantity-parsers.js';
import { pemFile } from './pem-file.js';
import { subprotocols, upgradeHeaders, webSocketSession } from './session-fields.js';
import { httpSession } from './http-session-fields.js';
import { dataField } from './data-field.js';
import { httpMethods } from './http-method.js';
import {
  protocols,
  workloads,
  type ReconnectSettings,
  type NewcomerSettings,
  type Scenario,
  type ServerSettings,
  type Stage,
  type TargetMetricsSettings,
  type TlsSettings,
} from './types.js';
import {
  type EventSettings,
  type SocketIoSettings,
  socketIoModes,
  socketIoTransports,
  type SseSettings,
  sseSequenceSources,
  type LongPollSettings,
  type PollSettings,
  type WebSocketSettings,
  webSocketModes,
  httpVersions,
  type HttpSettings,
} from './protocol-settings.js';
import { thinkTime } from './think-time.js';
import { verdictShape } from './verdict-settings.js';

// Node's http.Server refuses fractional milliseconds for its timeouts.
const serverTimeout = duration({ ...atLeast(0), wholeUnits: true });

export const stageShape: Shape<Stage> = { fields: { duration: duration(above(0)), target: stageTarget } };

const versionText = oneOf(httpVersions);
// YAML reads `version: 2` and `version: 1.1` as numbers.
const httpVersion = parser({ enum: [...httpVersions, 2, 1.1] }, (value, path) => versionText(typeof value === 'number' ? String(value) : value, path));

const httpShape: Shape<HttpSettings> = {
  fields: {
    method: oneOf(httpMethods, true),
    path: requestPath,
    headers,
    body: text,
    keepAlive: boolean,
    // undici refuses a keepAliveTimeout of 0.
    keepAliveTimeout: duration(above(0)),
    honourServerHint: boolean,
    keepAliveTimeoutThreshold: duration(atLeast(0)),
    pipelining: whole(1, 1000),
    timeout: duration(atLeast(0)),
    version: httpVersion,
    streams: whole(1, 100_000),
    session: httpSession,
  },
};

const websocketShape: Shape<WebSocketSettings> = {
  fields: {
    path: requestPath,
    messageSize: size(atLeast(1)),
    binary: boolean,
    perMessageDeflate: boolean,
    handshakeTimeout: duration(above(0)),
    mode: oneOf(webSocketModes),
    subscribePath: requestPath,
    pingInterval: duration(atLeast(0)),
    pingTimeout: duration(above(0)),
    headers: upgradeHeaders,
    subprotocols,
    session: webSocketSession,
  },
};

const pollShape: Shape<PollSettings> = {
  fields: { path: requestPath, interval: duration(above(0)), jitter: boolean },
};

const longPollShape: Shape<LongPollSettings> = {
  fields: { path: requestPath, timeout: duration(above(0)) },
};

const sseShape: Shape<SseSettings> = {
  fields: {
    path: requestPath,
    event: eventName,
    sequenceFrom: oneOf(sseSequenceSources),
    retry: duration(atLeast(0)),
    readTimeout: duration(atLeast(0)),
    maxEventSize: size(atLeast(1)),
  },
};

const socketIoShape: Shape<SocketIoSettings> = {
  fields: {
    path: requestPath,
    transports: list(oneOf(socketIoTransports), '[polling, websocket]'),
    namespace: requestPath,
    auth: jsonObject,
    query: textMap,
    mode: oneOf(socketIoModes),
    event: nonEmptyText,
    ackEvent: nonEmptyText,
    messageSize: size(atLeast(1)),
    timeout: duration(above(0)),
  },
};

const eventsShape: Shape<EventSettings> = {
  fields: {
    sequenceField: jsonField,
    timestampField: optionalJsonField,
    eventsField: optionalJsonField,
    sinceParam: queryParameter,
  },
};

const serverShape: Shape<ServerSettings> = {
  fields: {
    responseSize: size(atLeast(0)),
    responseDelay: duration(atLeast(0)),
    keepAliveTimeout: serverTimeout,
    headersTimeout: serverTimeout,
    requestTimeout: serverTimeout,
    maxRequestsPerSocket: whole(0),
    maxConnections: whole(0),
    eventRate: rate(atLeast(0)),
    eventBurst: whole(1, 100_000),
    // Above 0: a hold of 0 would turn every long-poll into a short poll.
    longPollTimeout: duration({ ...above(0), wholeUnits: true }),
    eventSize: size(atLeast(0)),
    tls: boolean,
    cert: pemFile('certificate'),
    key: pemFile('private key'),
    processes: processCount(maxProcesses),
    http2: boolean,
    // The SETTINGS value is 31-bit in practice (a stream id is), and at least one stream must be allowed.
    maxConcurrentStreams: whole(1, 2 ** 31 - 1),
  },
};

const newcomerShape: Shape<NewcomerSettings> = {
  fields: { rate: rate(atLeast(0)), timeout: duration(above(0)) },
};

const reconnectShape: Shape<ReconnectSettings> = {
  fields: { backoff: duration(atLeast(0)), maxBackoff: duration(atLeast(0)), jitter: boolean, dropAt: duration(atLeast(0)) },
};

const tlsShape: Shape<TlsSettings> = {
  fields: {
    ca: pemFile('certificate'),
    servername: nonEmptyText,
    cert: pemFile('certificate'),
    key: pemFile('private key'),
    insecure: boolean,
    resume: boolean,
  },
};

const targetMetricsShape: Shape<TargetMetricsSettings> = { fields: { url: metricsUrl, prefix: metricPrefix } };

const scenarioFields: Fields<Scenario> = {
  name: nonEmptyText,
  target,
  protocol: oneOf(protocols),
  workload: oneOf(workloads),
  connections: whole(1),
  duration: duration(above(0)),
  warmup: duration(atLeast(0)),
  interval: duration(atLeast(100)),
  workers: workerCount(maxWorkers),
  thinkTime,
  rate: rate(atLeast(0)),
  stages: list(
    parser(mappingSchema(stageShape, true), (value, path) => parseMapping(value, path, stageShape, undefined)),
    '[{ duration: 30s, target: 100 }]',
  ),
  maxQueue: whole(0),
  newcomers: section(newcomerShape, defaults.newcomers),
  http: section(httpShape, defaults.http),
  websocket: section(websocketShape, defaults.websocket),
  poll: section(pollShape, defaults.poll),
  longPoll: section(longPollShape, defaults.longPoll),
  sse: section(sseShape, defaults.sse),
  socketio: section(socketIoShape, defaults.socketio),
  events: section(eventsShape, defaults.events),
  server: section(serverShape, defaults.server),
  targetMetrics: section(targetMetricsShape, defaults.targetMetrics),
  tls: section(tlsShape, defaults.tls),
  processes: processCount(maxProcesses),
  sources,
  connectRate: rate(atLeast(0)),
  reconnect: section(reconnectShape, defaults.reconnect),
  data: dataField,
  thresholds: thresholdList,
  redact: list(headerName, '[x-session, x-csrf-token]'),
  verdict: section(verdictShape, defaults.verdict),
};

/** The mapping sections of a scenario and their field tables (what docs/scenario.md documents). */
export const scenarioSections = {
  http: httpShape,
  websocket: websocketShape,
  poll: pollShape,
  longPoll: longPollShape,
  sse: sseShape,
  socketio: socketIoShape,
  events: eventsShape,
  server: serverShape,
  targetMetrics: targetMetricsShape,
  tls: tlsShape,
  newcomers: newcomerShape,
  reconnect: reconnectShape,
  verdict: verdictShape,
} as const;

const nestedNames = Object.entries(scenarioSections).flatMap(([section, shape]) => Object.keys(shape.fields).map((key) => `${section}.${key}`));
export const baseShape: Shape<Scenario> = { fields: scenarioFields, readElsewhere: ['steps'], nested: nestedNames };
// Inside a step `name` is the step's label (taken out before merging) and `steps` is unknown.
export const stepShape: Shape<Scenario> = { fields: scenarioFields, nested: nestedNames };
