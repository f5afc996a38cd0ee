// deploy/k8s's example of sockcap agent as a sidecar: it shares the pod's process namespace,
// listens off loopback only with a token from a Secret, the Service exposes it, and the
// example scenario is valid and points its targetMetrics.url at that Service port.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadScenario } from '../src/api.js';

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'k8s');

interface Container {
  name: string;
  command: string[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name: string; containerPort: number }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    template?: { spec: { shareProcessNamespace?: boolean; containers: Container[] } };
    ports?: { name: string; port: number; targetPort: string }[];
  };
}

test('deploy/k8s: the target with sockcap agent as a sidecar, and the scenario pointed at it', async () => {
  const documents = parseAllDocuments(readFileSync(join(deploy, 'target-with-agent.yaml'), 'utf8')).map((document) => document.toJSON() as Manifest);
  const deployment = documents.find((document) => document.kind === 'Deployment')!;
  const service = documents.find((document) => document.kind === 'Service')!;
  const pod = deployment.spec.template!.spec;
  assert.equal(pod.shareProcessNamespace, true, 'the agent sees the target container processes');
  const agent = pod.containers.find((container) => container.name === 'agent')!;
  assert.deepEqual(agent.command.slice(0, 3), ['node', 'dist/src/bin.js', 'agent']);
  const flag = (name: string): string | undefined => agent.command[agent.command.indexOf(name) + 1];
  assert.equal(flag('--match'), 'nginx');
  assert.equal(flag('--port'), '80');
  assert.equal(flag('--listen'), '0.0.0.0:9465');
  assert.deepEqual(agent.env?.find((entry) => entry.name === 'SOCKCAP_AGENT_TOKEN')?.valueFrom?.secretKeyRef, { name: 'sockcap-agent-token', key: 'token' });
  assert.equal(agent.ports?.[0]?.containerPort, 9465);
  const agentPort = service.spec.ports!.find((port) => port.targetPort === 'agent')!;

  const scenario = await loadScenario(join(deploy, 'scenario-agent.yaml'));
  const step = scenario.steps[0]!;
  assert.equal(step.targetMetrics.url, `http://${service.metadata.name}:${agentPort.port}/metrics`);
  assert.equal(new URL(step.target!).hostname, service.metadata.name);
});
