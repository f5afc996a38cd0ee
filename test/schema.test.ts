// The JSON Schema editors check scenario files with: what `sockcap schema` prints is the file
// the package ships, every scenario sockcap ships passes it, it takes what sockcap takes, and
// a typo is refused by the schema as by sockcap itself. Checked with ajv, a maintained
// validator, in strict mode (which also refuses a malformed schema).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { ScenarioError } from '../src/errors.js';
import { protocolRules } from '../src/protocols/scenario-rules.js';
import { validateScenario } from '../src/scenario/validate.js';
import { runCli, testDir, writeScenario } from './helpers/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shipped: unknown = JSON.parse(readFileSync(join(root, 'scenario.schema.json'), 'utf8'));
const validate = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true }).compile(shipped as object);

/** The schema's complaints about `raw`, as `path: message` lines ([] when it passes). */
function schemaErrors(raw: unknown): string[] {
  return validate(raw) ? [] : (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'}: ${error.message ?? ''}`);
}

/** sockcap's own verdict: undefined when it accepts the scenario, or the field it blames. */
function sockcapRejects(raw: Record<string, unknown>): string | undefined {
  try {
    validateScenario(structuredClone(raw), { where: 'test.yaml', name: 'test', protocolRules });
    return undefined;
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
}

const scenarioFiles = [
  ...readdirSync(join(root, 'scenarios'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => `scenarios/${name}`),
  'deploy/k8s/scenario.yaml',
];

describe('sockcap schema', () => {
  it('prints the schema the package ships (scenario.schema.json: regenerate with npm run schema)', async (t) => {
    const dir = testDir(t);
    const printed = await runCli(['schema'], dir);
    assert.equal(printed.code, 0, printed.stderr);
    assert.deepEqual(JSON.parse(printed.stdout), shipped, 'scenario.schema.json is stale: run npm run schema');
  });

  // Checked against what sockcap says to a user, not against the tables the schema is made from.
  it('offers the fields sockcap allows, at the top and in every section', () => {
    const top = shipped as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const allowedBySockcap = (raw: Record<string, unknown>): string[] =>
      (/\(allowed: ([^)]*)\)$/.exec(sockcapRejects(raw) ?? '')?.[1] ?? '').split(', ').sort();
    assert.deepEqual(Object.keys(top.properties).sort(), allowedBySockcap({ notAField: 1 }));
    const sections = Object.entries(top.properties).filter(([, schema]) => schema.properties !== undefined);
    assert.ok(sections.length >= 9, `sections: ${sections.map(([name]) => name).join(', ')}`);
    for (const [name, schema] of sections) {
      assert.deepEqual(Object.keys(schema.properties!).sort(), allowedBySockcap({ [name]: { notAField: 1 } }), name);
    }
  });
});

describe('every scenario file sockcap ships passes the schema, and sockcap loads it', () => {
  for (const file of scenarioFiles) {
    it(file, () => {
      const text = readFileSync(join(root, file), 'utf8');
      const raw = parse(text) as Record<string, unknown>;
      assert.deepEqual(schemaErrors(raw), []);
      assert.equal(sockcapRejects(raw), undefined);
    });
  }

  it('each file in scenarios/ names the schema on its first line, for editors', () => {
    for (const file of scenarioFiles.filter((name) => name.startsWith('scenarios/'))) {
      const first = readFileSync(join(root, file), 'utf8').split('\n')[0];
      assert.equal(first, '# yaml-language-server: $schema=../scenario.schema.json', file);
    }
  });
});

// Scenarios sockcap accepts, in the forms a user may write them: the schema must accept them too.
const accepted: Record<string, Record<string, unknown>> = {
  'built-in target, numbers and units': { target: null, duration: '1m30s', warmup: 0, interval: '500ms', connections: 10, workers: 1 },
  'lower-case HTTP method, numeric header': { http: { method: 'post', headers: { 'x-retry': 3 }, body: '{}', keepAliveTimeout: '4s' } },
  'think time as a distribution': { thinkTime: { distribution: 'uniform', min: '100ms', max: '2s' } },
  'arrival rate with stages': { workload: 'arrival-rate', rate: '2000/s', stages: [{ duration: '10s', target: '500/s' }] },
  'thresholds as text and as mappings': { thresholds: ['latency.p99 < 50ms', { expression: 'error_rate < 1%', abortOnFail: true, gracePeriod: '5s' }] },
  'processes auto and a source range': { processes: 'auto', sources: '127.0.0.1-127.0.0.4' },
  'server settings with bare sizes': { server: { responseSize: 1024, eventRate: 10, eventBurst: 5, keepAliveTimeout: '5s', processes: 2 } },
  'steps with names and sections': { steps: [{ name: 'a', connections: 5 }, { http: { keepAlive: false } }] },
  'a WebSocket session': {
    protocol: 'websocket',
    websocket: {
      subprotocols: 'chat.v2',
      session: {
        open: [{ send: { json: { type: 'auth', token: '{{connection}}' } } }, { expect: { match: { type: 'auth_ok' }, timeout: '2s' } }],
        loop: [{ name: 'ping', send: 'ping {{seq}}' }, { pause: '1s' }],
        push: null,
      },
    },
  },
  'an HTTP session': {
    http: {
      session: { loop: [{ request: { method: 'POST', path: '/login', json: { user: 'u' } }, expect: { status: [200, 201] }, capture: { token: 'token' } }] },
    },
  },
};

describe('the schema accepts what sockcap accepts', () => {
  for (const [name, raw] of Object.entries(accepted)) {
    it(name, () => {
      assert.equal(sockcapRejects(raw), undefined);
      assert.deepEqual(schemaErrors(raw), []);
    });
  }
});

// Typos and wrong values: each refused by sockcap, naming the field, and by the schema at the same place.
const typos: { name: string; raw: Record<string, unknown>; field: string; pointer: string }[] = [
  { name: 'a misspelt top-level field', raw: { conections: 50 }, field: 'conections', pointer: '/' },
  { name: 'a misspelt field in a section', raw: { http: { keepAlvie: true } }, field: 'http.keepAlvie', pointer: '/http' },
  { name: 'a misspelt field in a step', raw: { steps: [{ protocl: 'http' }] }, field: 'steps[0].protocl', pointer: '/steps/0' },
  { name: 'a protocol that does not exist', raw: { protocol: 'htp' }, field: 'protocol', pointer: '/protocol' },
  { name: 'a duration without a unit', raw: { duration: '30 seconds' }, field: 'duration', pointer: '/duration' },
  { name: 'a bare number for a duration', raw: { duration: 30 }, field: 'duration', pointer: '/duration' },
  { name: 'a count that is not whole', raw: { connections: 2.5 }, field: 'connections', pointer: '/connections' },
  { name: 'a header the client sets itself', raw: { http: { headers: { Connection: 'close' } } }, field: 'http.headers.Connection', pointer: '/http/headers' },
  {
    name: 'a session step with two actions',
    raw: { protocol: 'websocket', websocket: { session: { loop: [{ send: 'a', pause: '1s' }] } } },
    field: 'websocket.session.loop[0]',
    pointer: '/websocket/session/loop/0',
  },
  {
    name: 'a think-time field no distribution has',
    raw: { thinkTime: { distribution: 'fixed', value: '1s', median: '1s' } },
    field: 'thinkTime.median',
    pointer: '/thinkTime',
  },
];

describe('a typo is refused by the schema as by sockcap', () => {
  for (const { name, raw, field, pointer } of typos) {
    it(name, () => {
      const message = sockcapRejects(raw);
      assert.ok(message?.startsWith(`test.yaml: ${field}: `), `sockcap: ${message}`);
      const errors = schemaErrors(raw);
      assert.ok(
        errors.some((line) => line.startsWith(`${pointer}: `) || line.startsWith(`${pointer}/`)),
        `schema errors at ${pointer}: ${errors.join('; ')}`,
      );
    });
  }

  it('the CLI refuses the typo in a file in one line, exit 2', async (t) => {
    const dir = testDir(t);
    const file = writeScenario(dir, 'typo.yaml', '# yaml-language-server: $schema=./scenario.schema.json\nconnections: 5\nhttp:\n  keepAlvie: false\n');
    assert.notDeepEqual(schemaErrors(parse(readFileSync(file, 'utf8'))), []);
    const result = await runCli(['run', file], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sockcap: .*typo\.yaml: http\.keepAlvie: unknown field; did you mean keepAlive\?/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
