// A protocol is one module plus one registry line: every registered protocol declares all
// the rest of sockcap asks of it, and nothing outside src/protocols/ switches on a
// protocol's name (so adding one touches no switch elsewhere).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { emptyCounters } from '../src/metrics/counters.js';
import { isMetricName } from '../src/metrics/histogram.js';
import { protocolModules, stepPlan } from '../src/protocols/index.js';
import { defaults } from '../src/scenario/defaults.js';
import { valueAt } from '../src/scenario/raw.js';
import { protocols, workloads, type Scenario } from '../src/scenario/types.js';
import { socketIoModes, webSocketModes } from '../src/scenario/protocol-settings.js';

/** Every way a protocol can run: each protocol with each workload, websocket and socketio in each of their modes, socketio over each transport list. */
function sampleSteps(): Scenario[] {
  const socketIoTransportLists: Scenario['socketio']['transports'][] = [['polling'], ['websocket'], ['polling', 'websocket'], ['websocket', 'polling']];
  return protocols.flatMap((protocol) =>
    workloads.flatMap((workload) => {
      const step: Scenario = { ...structuredClone(defaults), protocol, workload };
      if (protocol === 'websocket') return webSocketModes.map((mode) => ({ ...step, websocket: { ...step.websocket, mode } }));
      if (protocol === 'socketio') {
        return socketIoModes.flatMap((mode) => socketIoTransportLists.map((transports) => ({ ...step, socketio: { ...step.socketio, mode, transports } })));
      }
      return [step];
    }),
  );
}

test('every protocol the scenario accepts is registered, and every registered one is accepted', () => {
  assert.deepEqual(Object.keys(protocolModules).sort(), [...protocols].sort());
});

test('every registered protocol supplies every declaration', () => {
  const counters = Object.keys(emptyCounters());
  for (const [name, module] of Object.entries(protocolModules)) {
    assert.ok(module.section === undefined || module.section in defaults, `${name}: section ${String(module.section)} is not a scenario field`);
    assert.equal(typeof module.newcomers, 'boolean', `${name}: newcomers`);
    assert.ok(Array.isArray(module.rules), `${name}: rules`);
  }
  for (const step of sampleSteps()) {
    const plan = stepPlan(step);
    const name = plan.label;
    assert.match(plan.label, /^protocol: /);
    assert.ok(plan.workloads.length > 0 && plan.workloads.every((w) => workloads.includes(w)), `${name}: workloads`);
    assert.ok(plan.workloadsWhy.length > 0, `${name}: workloadsWhy`);
    assert.ok(isMetricName(plan.connectMetric), `${name}: connectMetric`);
    assert.ok(counters.includes(plan.countsAs), `${name}: countsAs`);
    assert.ok(
      plan.ownMetrics.every((metric) => isMetricName(metric)),
      `${name}: ownMetrics`,
    );
    if (plan.kind === 'send') {
      assert.equal(typeof plan.driver, 'function', `${name}: driver`);
      assert.ok(isMetricName(plan.metric), `${name}: metric`);
      assert.ok(Number.isInteger(plan.inFlightPerConnection) && plan.inFlightPerConnection >= 1, `${name}: inFlightPerConnection`);
      assert.equal(typeof plan.establishCountsRequest, 'boolean', `${name}: establishCountsRequest`);
      assert.ok(Number.isInteger(plan.payloadBytes) && plan.payloadBytes >= 0, `${name}: payloadBytes`);
    } else {
      assert.equal(plan.kind, 'receive');
      assert.equal(typeof plan.receiver, 'function', `${name}: receiver`);
      assert.ok(protocolModules[step.protocol].transports.includes(plan.transport), `${name}: transport ${plan.transport} not declared`);
      assert.equal(typeof valueAt(defaults, plan.pathField.split('.')), 'string', `${name}: pathField ${plan.pathField}`);
      assert.ok(plan.pace === undefined || plan.pace.interval > 0, `${name}: pace`);
    }
  }
});

test('nothing outside src/protocols/ switches on a protocol name', () => {
  const src = path.join(import.meta.dirname, '..', '..', 'src');
  const names = protocols.map((p) => p.replace('-', '\\-')).join('|');
  // `protocol === 'websocket'`, `case 'long-poll':`: a URL scheme (`'http:'`) is not a protocol name.
  const switches = [new RegExp(`protocol\\s*[!=]==?\\s*'(${names})'`), new RegExp(`case\\s+'(${names})'\\s*:`)];
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== path.join(src, 'protocols')) walk(full);
      } else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const pattern of switches) if (pattern.test(text)) offenders.push(`${path.relative(src, full)}: ${pattern.source}`);
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});

test('the workloads that hold connections are listed once', () => {
  const src = path.join(import.meta.dirname, '..', '..', 'src');
  const listed: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && /'hold',\s*'connect',\s*'reconnect-storm'/.test(fs.readFileSync(full, 'utf8')))
        listed.push(path.relative(src, full));
    }
  };
  walk(src);
  assert.deepEqual(listed, [path.join('scenario', 'types.ts')]);
});
