// What `npm pack` makes is what users install: the tarball holds the compiled code, its
// types, the example scenarios, the schema and the manual, and nothing else; installed into an
// empty folder it runs the quickstart with `npx sockcap run`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cellNumber, readCsv, testDir } from './helpers/cli.js';
import { relativeLinks } from './helpers/markdown.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackedFile {
  path: string;
}

// Compiled modules and their types; source maps point at src/, which is not shipped.
const shipped = [
  /^dist\/src\/.+\.js$/,
  /^dist\/src\/.+\.d\.ts$/,
  /^scenarios\/[\w-]+\.yaml$/,
  // The per-connection data files the session scenarios read.
  /^scenarios\/data\/[\w-]+\.csv$/,
  /^docs\/[\w-]+\.md$/,
  // The screenshots docs/reports.md shows.
  /^docs\/img\/[\w-]+\.png$/,
  /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|scenario\.schema\.json)$/,
];

test(
  'npm pack holds what a user needs and nothing more; installed in an empty folder, npx sockcap run runs the quickstart',
  { timeout: 300_000 },
  async (t) => {
    const dir = testDir(t, 'sockcap-pack-');
    // --ignore-scripts: dist/ is built already (npm test builds first); the prepare script
    // would rebuild it under the tests running from it.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 << 20 });
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: PackedFile[] }];
    const files = info.files.map((file) => file.path);

    assert.deepEqual(
      files.filter((path) => !shipped.some((pattern) => pattern.test(path))),
      [],
      'files a user does not need',
    );
    // Every compiled module comes from a source file of today: a module moved or removed
    // leaves no stale copy behind in the package.
    const stale = files.filter((path) => path.endsWith('.js') && !existsSync(join(root, path.replace(/^dist\//, '').replace(/\.js$/, '.ts'))));
    assert.deepEqual(stale, [], 'compiled modules without a source');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; main: string; types: string };
    for (const needed of [manifest.bin['sockcap']!, manifest.main, manifest.types, 'scenarios/quickstart.yaml', 'scenario.schema.json']) {
      assert.ok(files.includes(needed.replace(/^\.\//, '')), `${needed} is in the package`);
    }
    for (const page of files.filter((path) => path.endsWith('.md'))) {
      // Links within the page (`#section`) have no path; links to a folder end in /.
      for (const link of relativeLinks(readFileSync(join(root, page), 'utf8'))
        .map((found) => found.split('#')[0]!)
        .filter(Boolean)) {
        const target = posix.normalize(posix.join(posix.dirname(page), link)).replace(/\/$/, '');
        const found = link.endsWith('/') ? files.some((path) => path.startsWith(`${target}/`)) : files.includes(target);
        assert.ok(found, `${page} links ${link}, which is not in the package`);
      }
    }

    const app = join(dir, 'app');
    mkdirSync(app);
    await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', join(dir, info.filename)], { cwd: app, timeout: 180_000 });
    for (const devOnly of ['typescript', 'ajv', 'eslint']) {
      assert.equal(existsSync(join(app, 'node_modules', devOnly)), false, `${devOnly} is not installed with sockcap`);
    }
    const quickstart = await run('npx', ['--no', 'sockcap', 'run'], { cwd: app, timeout: 120_000 });
    assert.match(quickstart.stdout, /http-keepalive/);
    const [runDir] = readdirSync(join(app, 'results'));
    const summary = readCsv(join(app, 'results', runDir!, 'summary.csv'));
    assert.deepEqual(
      summary.map((row) => row['step']),
      ['http-keepalive', 'websocket-echo'],
    );
    assert.ok(cellNumber(summary[0], 'requests') > 0, 'HTTP requests measured');
    assert.ok(cellNumber(summary[1], 'messages') > 0, 'WebSocket messages measured');
  },
);
