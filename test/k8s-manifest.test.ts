// deploy/k8s and scripts/k8s-run.sh: the Job has what a sharded run needs, the script fills
// it in consistently, and, with a stand-in kubectl whose pods are local processes, the pod
// command, the collection of results and the merge work end to end.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { loadScenario } from '../src/api.js';
import { binPath, cellNumber, type CliResult, readCsv, readJson, startCli, testDir, writeScenario } from './helpers/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const deploy = join(root, 'deploy', 'k8s');
const script = join(root, 'scripts', 'k8s-run.sh');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  restartPolicy?: string;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string; labelSelector?: { matchLabels?: Record<string, string> } }[];
  affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[] } };
}
interface Resource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { completionMode?: string; completions?: number; parallelism?: number; backoffLimit?: number; template?: { spec: PodSpec } };
}

function parseDocuments(text: string, where: string): Resource[] {
  return parseAllDocuments(text).map((document) => {
    assert.deepEqual(document.errors, [], `${where}: YAML errors`);
    return document.toJS() as Resource;
  });
}

function onlyJob(resources: Resource[]): Resource & { spec: { template: { spec: PodSpec } } } {
  const jobs = resources.filter((resource) => resource.kind === 'Job');
  assert.equal(jobs.length, 1, 'one Job');
  return jobs[0] as Resource & { spec: { template: { spec: PodSpec } } };
}

/** The checks a Job of shards must pass, as written and as the script renders it. */
function checkJob(job: ReturnType<typeof onlyJob>, shards: number, configMapName: string): void {
  const { spec } = job;
  const pod = spec.template.spec;
  assert.equal(spec.completionMode, 'Indexed');
  assert.equal(spec.completions, shards);
  assert.equal(spec.parallelism, spec.completions, 'every shard runs at once');
  assert.equal(spec.backoffLimit, 0);
  assert.equal(pod.restartPolicy, 'Never');

  const spread = (pod.topologySpreadConstraints ?? []).find((constraint) => constraint.topologyKey === 'kubernetes.io/hostname');
  const antiAffinity = pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.some(
    (term) => term.topologyKey === 'kubernetes.io/hostname',
  );
  assert.ok(spread?.whenUnsatisfiable === 'DoNotSchedule' || antiAffinity, 'pods spread over nodes');
  if (spread) assert.deepEqual(spread.labelSelector?.matchLabels, { 'job-name': job.metadata.name }, "the spread counts this Job's pods");

  assert.ok(pod.containers.length > 0);
  for (const container of pod.containers) {
    const { requests, limits } = container.resources ?? {};
    assert.ok(requests?.cpu, `${container.name}: a CPU request`);
    assert.equal(requests.cpu, limits?.cpu, `${container.name}: CPU request equals limit`);
    assert.ok(requests.memory, `${container.name}: a memory request`);
    assert.equal(requests.memory, limits?.memory, `${container.name}: memory request equals limit`);
  }
  const [container] = pod.containers;
  const env = new Map((container!.env ?? []).map((entry) => [entry.name, entry]));
  assert.equal(env.get('SHARD_COUNT')?.value, String(spec.completions), 'SHARD_COUNT equals completions');
  assert.equal(env.get('JOB_NAME')?.valueFrom?.fieldRef?.fieldPath, "metadata.labels['job-name']");

  const volume = (pod.volumes ?? []).find((candidate) => candidate.configMap);
  assert.equal(volume?.configMap?.name, configMapName);
  assert.ok(
    container!.volumeMounts?.some((mount) => mount.name === volume.name && mount.mountPath === '/scenario'),
    'the ConfigMap is mounted at /scenario',
  );
  const results = (pod.volumes ?? []).find((candidate) => candidate.name === 'results');
  assert.ok(results?.emptyDir, 'results in an emptyDir');
  assert.ok(container!.volumeMounts?.some((mount) => mount.name === 'results' && mount.mountPath === '/results'));

  const command = [...(container!.command ?? []), ...(container!.args ?? [])].join(' ');
  // The built CLI run by node in the image's folder (npx there would install the folder and rebuild it).
  assert.match(command, /(?:^|\s)node dist\/src\/bin\.js run \/scenario\/scenario\.yaml /);
  assert.match(command, /--run-id \$\(JOB_NAME\)/);
  assert.match(command, /--start-at \$\(START_AT\)/);
  assert.match(command, /--out \/results/);
  assert.ok(env.has('START_AT'), 'START_AT is defined, so Kubernetes fills it in');
}

test('deploy/k8s: an Indexed Job of shards, a valid example scenario, its kustomization and the Dockerfile', async () => {
  const job = onlyJob(parseDocuments(readFileSync(join(deploy, 'job.yaml'), 'utf8'), 'job.yaml'));
  assert.equal(job.spec.completions, 10);
  checkJob(job, 10, 'sockcap-scenario');

  const scenario = await loadScenario(join(deploy, 'scenario.yaml'));
  assert.ok(
    scenario.steps.every((step) => step.target === 'http://sockcap-target:8080/'),
    "the example targets target.yaml's Service",
  );
  const target = parseDocuments(readFileSync(join(deploy, 'target.yaml'), 'utf8'), 'target.yaml');
  assert.deepEqual(
    target.map((resource) => resource.kind),
    ['Deployment', 'Service'],
  );
  assert.equal(target[1]!.metadata.name, 'sockcap-target');

  const [kustomization] = parseDocuments(readFileSync(join(deploy, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml') as unknown as {
    resources: string[];
    generatorOptions?: { disableNameSuffixHash?: boolean };
    configMapGenerator: { name: string; files: string[] }[];
  }[];
  assert.deepEqual(kustomization!.resources, ['job.yaml']);
  assert.equal(kustomization!.generatorOptions?.disableNameSuffixHash, true);
  assert.deepEqual(
    kustomization!.configMapGenerator.map((generator) => [generator.name, generator.files]),
    [['sockcap-scenario', ['scenario.yaml']]],
  );

  const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:20-slim$/m);
  assert.match(dockerfile, /^RUN npm ci\b/m);
  assert.match(dockerfile, /^RUN npm run build\b/m);
});

// kubectl comes from Debian's kubernetes-client in .ci/run: missing, the test fails rather than skips.
test('deploy/k8s builds with kustomize: the ConfigMap holds scenario.yaml and the Job mounts it', () => {
  const built = spawnSync('kubectl', ['kustomize', deploy], { encoding: 'utf8', timeout: 20_000 });
  assert.ifError(built.error);
  assert.equal(built.status, 0, built.stderr);
  const resources = parseDocuments(built.stdout, 'kubectl kustomize');
  const configMap = resources.find((resource) => resource.kind === 'ConfigMap');
  assert.equal(configMap?.metadata.name, 'sockcap-scenario');
  assert.equal(configMap.data?.['scenario.yaml'], readFileSync(join(deploy, 'scenario.yaml'), 'utf8'));
  checkJob(onlyJob(resources), 10, 'sockcap-scenario');
});

function runScript(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  const child = spawn('bash', [script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('scripts/k8s-run.sh: valid bash, fills the Job in consistently, and says what is wrong', async (t) => {
  const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);

  const dir = testDir(t);
  const file = writeScenario(dir, 'small.yaml', 'name: small\nconnections: 2\nduration: 1s\n');
  const before = Date.now();
  const dry = await runScript([file, '3'], { SOCKCAP_DRY_RUN: '1', SOCKCAP_JOB_NAME: 'sockcap-dry', SOCKCAP_IMAGE: 'registry.example.com/sockcap:1' }, dir);
  assert.equal(dry.code, 0, dry.stderr);
  const job = onlyJob(parseDocuments(dry.stdout, 'rendered Job'));
  assert.equal(job.metadata.name, 'sockcap-dry');
  checkJob(job, 3, 'sockcap-dry-scenario');
  const container = job.spec.template.spec.containers[0]!;
  assert.equal((container as Container & { image: string }).image, 'registry.example.com/sockcap:1');
  const startAt = Date.parse(container.env!.find((entry) => entry.name === 'START_AT')!.value!);
  assert.ok(startAt >= before + 59_000 && startAt <= Date.now() + 61_000, `one absolute start about 60 s ahead: ${new Date(startAt).toISOString()}`);

  const noKubectl = await runScript([file, '3'], { KUBECTL: join(dir, 'no-such-kubectl') }, dir);
  assert.equal(noKubectl.code, 2);
  assert.match(noKubectl.stderr, /^k8s-run: kubectl not found \(looked for ".*no-such-kubectl"\)/);
  const badShards = await runScript([file, 'ten'], {}, dir);
  assert.equal(badShards.code, 2);
  assert.match(badShards.stderr, /<shards>: expected a whole number of at least 1, got "ten"/);
  const usage = await runScript([], {}, dir);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^usage: /);
});

test('scripts/k8s-run.sh end to end with a stand-in kubectl: three pods, their results copied and merged exactly', { timeout: 60_000 }, async (t) => {
  const dir = testDir(t);
  const state = join(dir, 'cluster');
  const server = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], dir);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      server.child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /listening on (\S+)/.exec(seen);
        if (match) resolve(match[1]!);
      });
      void server.result.then((result) => reject(new Error(`serve exited: ${result.stderr}`)));
    });
    // Slots enough that no arrival waits in the queue on a busy machine: arrivals still
    // queued when a step ends are not sent.
    const file = writeScenario(
      dir,
      'k8s.yaml',
      `name: k8s
target: ${url}
interval: 500ms
workers: 1
steps:
  - name: rate
    protocol: http
    workload: arrival-rate
    rate: 90/s
    connections: 30
    duration: 1s
`,
    );

    const kubectl = join(dir, 'kubectl');
    const fake = fileURLToPath(new URL('./helpers/fake-kubectl.js', import.meta.url));
    writeFileSync(kubectl, `#!/bin/sh\nexec "${process.execPath}" "${fake}" "$@"\n`);
    chmodSync(kubectl, 0o755);

    const run = runScript(
      [file, '3', 'test'],
      {
        KUBECTL: kubectl,
        FAKE_KUBECTL_STATE: state,
        SOCKCAP_JOB_NAME: 'sockcap-e2e',
        SOCKCAP_START_DELAY: '8',
        SOCKCAP_TIMEOUT: '40',
        SOCKCAP: `${process.execPath} ${binPath}`,
        SOCKCAP_OUT: join(dir, 'results'),
      },
      dir,
    );
    const result = await run;
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /k8s-run: job sockcap-e2e, 3 shards, namespace test/);
    for (const shard of [1, 2, 3]) assert.match(result.stdout, new RegExp(`shard ${shard}/3 \\(sockcap-e2e-${shard - 1}\\) exited 0`));
    const merged = join(dir, 'results', 'sockcap-e2e-merged');
    assert.match(result.stdout, new RegExp(`merged results in ${merged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const rows = readCsv(join(merged, 'summary.csv'));
    assert.equal(cellNumber(rows[0], 'requests'), 90, 'three shards of 90/s for 1 s add up to 90');
    const shardRequests = [1, 2, 3].map((shard) =>
      cellNumber(readCsv(join(dir, 'results', 'sockcap-e2e', `shard-${shard}`, 'sockcap-e2e', 'summary.csv'))[0], 'requests'),
    );
    assert.deepEqual(shardRequests, [30, 30, 30]);
    const run0 = readJson<{ merged: { shards: number; partial: boolean }; manifest: { runGroup: string } }>(join(merged, 'run.json'));
    assert.deepEqual([run0.merged.shards, run0.merged.partial, run0.manifest.runGroup], [3, false, 'sockcap-e2e']);
  } finally {
    server.child.kill('SIGTERM');
    await server.result;
    // Pods still holding their results (the script stopped early) are ended with their process group.
    const pods = join(state, 'jobs', 'sockcap-e2e');
    for (const pod of existsSync(pods) ? readdirSync(pods) : []) {
      try {
        process.kill(-Number(readFileSync(join(pods, pod, 'pid'), 'utf8')), 'SIGKILL');
      } catch {
        // That pod had ended.
      }
    }
  }
});
