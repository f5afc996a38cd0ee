// A stand-in for kubectl, for testing scripts/k8s-run.sh without a cluster: an applied Job's
// pods run as local processes, each the Job's own container command (its /results and
// /scenario mapped to folders), so the pod command, the collection and the merge are the
// real ones. It knows only the calls k8s-run.sh makes. State lives in $FAKE_KUBECTL_STATE.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, openSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    completions: number;
    template: { spec: { containers: Container[]; volumes: { name: string; configMap?: { name: string } }[] } };
  };
}

const state = process.env.FAKE_KUBECTL_STATE ?? fail('FAKE_KUBECTL_STATE is not set');
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function fail(message: string): never {
  process.stderr.write(`fake kubectl: ${message}\n`);
  process.exit(1);
}

function flag(args: string[], name: string): string | undefined {
  const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.slice(name.length + 1) : args[at + 1];
}

const podsDir = (job: string): string => join(state, 'jobs', job);
const podNames = (job: string): string[] => (existsSync(podsDir(job)) ? readdirSync(podsDir(job)).sort() : []);
const podDir = (pod: string): string => join(state, 'jobs', pod.replace(/-\d+$/, ''), pod);
const exitOf = (pod: string): number | undefined => {
  const file = join(podDir(pod), 'exit');
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
};
const ready = (pod: string): boolean => existsSync(join(podDir(pod), 'results', 'exit-code'));

/** Kubernetes' own expansion of $(VAR) in a container's command, from the container's env. */
function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) => (name === undefined ? '$' : (env[name] ?? whole)));
}

function startPods(job: Manifest): void {
  const name = job.metadata.name;
  const pod = job.spec!.template.spec;
  const container = pod.containers[0]!;
  const configMap = pod.volumes.find((volume) => volume.configMap)!.configMap!.name;
  for (let index = 0; index < job.spec!.completions; index++) {
    const dir = join(podsDir(name), `${name}-${index}`);
    mkdirSync(join(dir, 'results'), { recursive: true });
    const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index) };
    for (const entry of container.env) {
      const field = entry.valueFrom?.fieldRef.fieldPath;
      env[entry.name] = field === "metadata.labels['job-name']" ? name : (entry.value ?? fail(`env ${entry.name}: unsupported`));
    }
    const mounts: Record<string, string> = { results: join(dir, 'results'), scenario: join(state, 'configmaps', configMap) };
    // Mount paths are replaced in one pass, so a folder put in is never replaced again.
    const mountPath = new RegExp(`(?<![\\w/.-])(${container.volumeMounts.map((mount) => mount.mountPath).join('|')})(?![\\w.-])`, 'g');
    const folderOf = new Map(container.volumeMounts.map((mount) => [mount.mountPath, mounts[mount.name]!]));
    const script = [...container.command.slice(2), ...container.args]
      .map((part) => expand(part, env).replace(mountPath, (path) => folderOf.get(path)!))
      .join(' ');
    const log = openSync(join(dir, 'log'), 'w');
    const child = spawn('/bin/sh', ['-c', `/bin/sh -c "$POD_SCRIPT"; echo $? > "$POD_EXIT"`], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...env, POD_SCRIPT: script, POD_EXIT: join(dir, 'exit') },
    });
    writeFileSync(join(dir, 'pid'), String(child.pid));
    child.unref();
    closeSync(log);
  }
}

async function waitUntil(check: () => boolean, timeout: string | undefined): Promise<void> {
  const until = Date.now() + Number((timeout ?? '30s').replace(/s$/, '')) * 1000;
  while (!check()) {
    if (Date.now() > until) fail('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(argv: string[]): Promise<void> {
  const args = argv[0] === '--namespace' ? argv.slice(2) : argv;
  const [verb, noun] = args;
  const job = flag(args, '--selector')?.replace(/^job-name=/, '');
  if (verb === 'config') return;
  if (verb === 'create' && noun === 'configmap') {
    const [key, file] = flag(args, '--from-file')!.split('=') as [string, string];
    process.stdout.write(stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: args[2] }, data: { [key]: readFileSync(file, 'utf8') } }));
    return;
  }
  if (verb === 'apply') {
    for (const document of parseAllDocuments(readFileSync(0, 'utf8'))) {
      const manifest = document.toJS() as Manifest;
      if (manifest.kind === 'ConfigMap') {
        const dir = join(state, 'configmaps', manifest.metadata.name);
        mkdirSync(dir, { recursive: true });
        for (const [key, text] of Object.entries(manifest.data ?? {})) writeFileSync(join(dir, key), text);
      } else if (manifest.kind === 'Job') startPods(manifest);
    }
    return;
  }
  if (verb === 'get' && noun === 'pods' && job) {
    const pods = podNames(job);
    if (flag(args, '--field-selector') === 'status.phase=Failed') {
      for (const pod of pods) if ((exitOf(pod) ?? 0) !== 0) console.log(`pod/${pod}`);
    } else if (flag(args, '--output') === 'name') {
      for (const pod of pods) console.log(`pod/${pod}`);
    } else if (flag(args, '--output')?.includes('job-completion-index')) {
      for (const pod of pods) console.log(`${pod} ${/-(\d+)$/.exec(pod)![1]}`);
    } else fail(`get: unsupported ${args.join(' ')}`);
    return;
  }
  if (verb === 'wait') {
    const condition = flag(args, '--for');
    const timeout = flag(args, '--timeout');
    if (condition === 'condition=Ready' && job) return waitUntil(() => podNames(job).every(ready), timeout);
    const target = args.find((arg) => arg.startsWith('job/'))?.slice(4) ?? fail(`wait: unsupported ${args.join(' ')}`);
    await waitUntil(() => podNames(target).every((pod) => exitOf(pod) !== undefined), timeout);
    const failed = podNames(target).some((pod) => exitOf(pod) !== 0);
    if (condition !== (failed ? 'condition=Failed' : 'condition=Complete')) fail(`job/${target} ended ${failed ? 'Failed' : 'Complete'}, not ${condition}`);
    return;
  }
  if (verb === 'cp') {
    const [pod, path] = args.filter((arg) => arg.includes(':/'))[0]!.split(':') as [string, string];
    cpSync(join(podDir(pod), path.replace(/^\//, '')), args[args.length - 1]!, { recursive: true });
    return;
  }
  if (verb === 'exec' && args.includes('touch')) {
    writeFileSync(join(podDir(noun!), 'results', 'collected'), '');
    return;
  }
  fail(`unsupported call: ${args.join(' ')}`);
}

await main(process.argv.slice(2));
