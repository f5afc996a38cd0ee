// The manual in docs/ documents every scenario field, CLI flag and CSV column, checked against
// the tables the code itself uses: the field tables validation parses with, the options
// each yargs command module declares, and the column lists the CSV writers write. A name
// added to the code and not to docs/ fails here, with the page and section to add it to.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { baseShape, scenarioSections, stageShape } from '../src/scenario/shapes.js';
import { thinkTimeFields } from '../src/scenario/think-time.js';
import { thresholdShape } from '../src/scenario/threshold-field.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import type { JsonSchema } from '../src/scenario/parsers.js';
import { protocols, thinkTimeDistributions, workloads } from '../src/scenario/types.js';
import { webSocketModes } from '../src/scenario/protocol-settings.js';
import { httpMethods } from '../src/scenario/http-method.js';
import { summaryColumns } from '../src/metrics/summary-columns.js';
import { sessionStepSuffixes } from '../src/results/session-step-columns.js';
import { errorColumns, latencyColumns, timeseriesColumns } from '../src/outputs/csv-files.js';
import { capacityCsvColumns, capacityFitColumns } from '../src/outputs/capacity-csv.js';
import { cometCompareColumns } from '../src/outputs/comet-compare.js';
import { sweepColumns } from '../src/sweep/sweep-csv.js';
import { thresholdColumns } from '../src/outputs/thresholds-csv.js';
import { compareColumns } from '../src/outputs/compare-csv.js';
import { anchors, codeNames, relativeLinks, sectionsTitled } from './helpers/markdown.js';
import { liveInstruments } from '../src/outputs/live/instruments.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const docPages = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

/** The names of `names` written in backticks in no section of `page` whose heading holds `heading`. */
function undocumented(markdown: string, heading: string, names: readonly string[]): string[] {
  const found = sectionsTitled(markdown, heading);
  assert.ok(found.length > 0, `no section titled "${heading}"`);
  const documented = new Set(found.flatMap((section) => [...codeNames(section.text)]));
  return names.filter((name) => !documented.has(name));
}

function assertDocumented(page: string, heading: string, names: readonly string[], what: string, markdown = read(page)): void {
  const missing = undocumented(markdown, heading, names);
  assert.deepEqual(missing, [], `${what} not documented: add ${missing.map((name) => `\`${name}\``).join(', ')} to the "${heading}" section of ${page}`);
}

// ---- scenario fields: the tables in src/scenario/shapes.ts -------------------------------

const scenarioPage = 'docs/scenario.md';

/** A section's field is documented as `section.key` anywhere on the page, or as `key` under its heading. */
function undocumentedInSection(markdown: string, section: string, keys: readonly string[]): string[] {
  const anywhere = codeNames(markdown);
  const under = new Set(sectionsTitled(markdown, `\`${section}\``).flatMap((found) => [...codeNames(found.text)]));
  return keys.filter((key) => !anywhere.has(`${section}.${key}`) && !under.has(key)).map((key) => `${section}.${key}`);
}

describe('docs/scenario.md documents every scenario field', () => {
  const markdown = read(scenarioPage);

  it('every top-level field', () => {
    assertDocumented(scenarioPage, 'Top-level fields', [...Object.keys(baseShape.fields), ...(baseShape.readElsewhere ?? [])], 'scenario fields');
  });

  it('every value a choice field accepts', () => {
    const row = (field: string): Set<string> => codeNames(markdown.split('\n').find((line) => line.startsWith(`| \`${field}\``)) ?? '');
    const choices: [string, readonly string[]][] = [
      ['protocol', protocols],
      ['workload', workloads],
      ['method', httpMethods],
      ['mode', webSocketModes],
    ];
    const missing = choices.flatMap(([field, values]) => values.filter((value) => !row(field).has(value)).map((value) => `${field}: ${value}`));
    assert.deepEqual(missing, [], `values not listed in their field's row of ${scenarioPage}`);
    const thinkTime = new Set(sectionsTitled(markdown, '`thinkTime`').flatMap((section) => [...codeNames(section.text)]));
    assert.deepEqual(
      thinkTimeDistributions.filter((name) => !thinkTime.has(name)),
      [],
    );
  });

  it('every field of every section (http, websocket, server, tls, …)', () => {
    const missing = Object.entries(scenarioSections).flatMap(([section, shape]) => undocumentedInSection(markdown, section, Object.keys(shape.fields)));
    assert.deepEqual(
      missing,
      [],
      `scenario fields not documented in ${scenarioPage}: ${missing.join(', ')} (under the section's heading, or as the full path)`,
    );
  });

  it('the fields of a stage, a threshold and a think-time distribution', () => {
    assert.deepEqual(undocumentedInSection(markdown, 'stages', Object.keys(stageShape.fields)), []);
    assert.deepEqual(undocumentedInSection(markdown, 'thresholds', Object.keys(thresholdShape.fields)), []);
    const thinkTime = ['distribution', ...Object.keys(thinkTimeFields), ...Object.values(thinkTimeFields).flat()];
    assert.deepEqual(undocumentedInSection(markdown, 'thinkTime', [...new Set(thinkTime)]), []);
  });
});

/** Every field path of a JSON Schema (`http.session.open[].send.text` as its keys), through lists and alternatives. */
function schemaPaths(schema: unknown, path: readonly string[] = []): string[][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  const alternatives = ['oneOf', 'anyOf', 'allOf'].flatMap((keyword) => (Array.isArray(node[keyword]) ? (node[keyword] as unknown[]) : []));
  return [
    ...Object.entries(properties).flatMap(([key, value]) => [[...path, key], ...schemaPaths(value, [...path, key])]),
    ...alternatives.flatMap((alternative) => schemaPaths(alternative, path)),
    ...schemaPaths(node.items, path),
  ];
}

describe('docs/ names every field of the scenario schema', () => {
  it('down to the steps of a session (the schema is built from the same field tables)', () => {
    const named = new Set(docPages.flatMap((page) => [...codeNames(read(page))]));
    // A step is the base scenario again; its fields are the base's.
    const paths = schemaPaths(scenarioSchema()).filter((path) => !(path[0] === 'steps' && path.length > 1));
    assert.ok(paths.length > 100, `the schema has ${paths.length} field paths`);
    const missing = paths.filter((path) => !named.has(path.join('.')) && !named.has(path[path.length - 1] ?? '')).map((path) => path.join('.'));
    assert.deepEqual(missing, [], 'scenario fields named nowhere in docs/: document them on the page of their topic');
  });
});

// ---- CLI flags: the yargs command modules in src/cli/ ---------------------------------------

interface YargsOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
}

/** Every command module of src/cli/, found by what it exports, so a new verb is checked too. */
async function commandModules(): Promise<CommandModule[]> {
  const folder = fileURLToPath(new URL('../src/cli/', import.meta.url));
  const modules: CommandModule[] = [];
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.js'))) {
    const exported = (await import(pathToFileURL(join(folder, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof Reflect.get(value, 'command') === 'string' &&
        typeof Reflect.get(value, 'handler') === 'function'
      ) {
        modules.push(value as CommandModule);
      }
    }
  }
  return modules;
}

/** The options a command module declares, read from real yargs after its builder ran. */
function declaredOptions(command: CommandModule): YargsOptions {
  const parser: Argv = yargs([]);
  const built = typeof command.builder === 'function' ? command.builder(parser) : parser.options(command.builder ?? {});
  // getOptions() is yargs' own record of what was declared; @types/yargs leaves it out.
  return (built as unknown as { getOptions(): YargsOptions }).getOptions();
}

const commandsPage = 'docs/commands.md';

const modules = await commandModules();

describe('docs/commands.md documents every command and flag', () => {
  it('finds the command modules', () => {
    assert.ok(modules.length >= 8, `found ${modules.length} command modules in src/cli/`);
  });

  for (const command of modules) {
    const usage = String(command.command);
    const verb = usage.split(' ')[0] ?? usage;
    it(`sockcap ${verb}`, () => {
      const options = declaredOptions(command);
      const positionals = [...usage.matchAll(/[<[]([\w-]+)(?:\.\.)?[>\]]/g)].map((match) => match[1] ?? '');
      const aliases = new Set(Object.values(options.alias).flat());
      const flags = Object.keys(options.key).filter((key) => key !== 'help' && key !== 'version' && !aliases.has(key) && !positionals.includes(key));
      const names = [
        ...flags.map((flag) => `--${flag}`),
        ...flags.flatMap((flag) => (options.alias[flag] ?? []).map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`))),
        ...[...usage.matchAll(/[<[][\w.-]+[>\]]/g)].map((match) => match[0]),
      ];
      assertDocumented(commandsPage, `sockcap ${verb}`, names, `flags of sockcap ${verb}`);
    });
  }
});

// ---- CSV columns: the column lists in src/outputs/ ----------------------------------------

const resultsPage = 'docs/results.md';

describe('docs/results.md documents every column of every CSV file', () => {
  const files: [string, readonly string[]][] = [
    // Then five for each named session step, documented by their pattern.
    ['summary.csv', [...summaryColumns, ...sessionStepSuffixes.map((suffix) => `reply:<step>_${suffix}`)]],
    ['timeseries.csv', timeseriesColumns],
    ['latency.csv', latencyColumns],
    ['errors.csv', errorColumns],
    ['capacity.csv', capacityCsvColumns],
    ['capacity-fit.csv', capacityFitColumns],
    ['transports.csv', cometCompareColumns],
    // sweep.csv repeats every summary column; its own are the rest.
    [
      'sweep.csv',
      sweepColumns({ dimensions: [], combos: [], serverTimeout: undefined }).filter((column) => !(summaryColumns as readonly string[]).includes(column)),
    ],
    ['thresholds.csv', thresholdColumns],
    ['compare.csv of `sockcap compare`', compareColumns],
  ];
  for (const [heading, columns] of files) {
    it(heading, () => assertDocumented(resultsPage, heading, columns, `columns of ${heading.split(' ')[0]}`));
  }
});

// ---- live metrics: the instruments /metrics and OTLP publish ------------------------------

describe('docs/live.md documents every live metric', () => {
  it('every Prometheus name', () =>
    assertDocumented(
      'docs/live.md',
      'The metrics',
      liveInstruments.map((instrument) => instrument.promName),
      'live metrics',
    ));
});

// ---- the check itself, and the shape of the manual ----------------------------------------

describe('the docs check', () => {
  it('reports a column, a flag and a field that the docs leave out', () => {
    const withoutLine = (page: string, needle: string): string =>
      read(page)
        .split('\n')
        .filter((line) => !line.includes(needle))
        .join('\n');
    assert.deepEqual(undocumented(withoutLine(resultsPage, '`connections_peak`'), 'summary.csv', summaryColumns), ['connections_peak']);
    assert.deepEqual(undocumented(withoutLine(commandsPage, '`--strict`'), 'sockcap run', ['--strict', '--set']), ['--strict']);
    assert.deepEqual(undocumentedInSection(withoutLine(scenarioPage, '`pipelining`'), 'http', Object.keys(scenarioSections.http.fields)), ['http.pipelining']);
  });

  it('every relative link of the README and docs/ leads to a file and heading that exist', () => {
    const broken: string[] = [];
    for (const page of ['README.md', 'CHANGELOG.md', ...docPages]) {
      for (const link of relativeLinks(read(page))) {
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? page : normalize(join(dirname(page), path));
        if (!existsSync(join(root, target))) broken.push(`${page}: ${link} (no file ${target})`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchors(read(target)).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor})`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('the README is a front page: at most 300 lines, with the two set-up commands', () => {
    const readme = read('README.md');
    assert.ok(readme.split('\n').length <= 300, `README.md has ${readme.split('\n').length} lines; move the manual's part to docs/`);
    assert.ok(readme.includes('npm ci && npm start'));
    assert.ok(readme.includes('npm test'));
  });

  it('no page describes the circumstances of one session instead of where and when figures were measured', () => {
    const pages = ['README.md', ...docPages].filter((page) => /other engineers/i.test(read(page)));
    assert.deepEqual(pages, [], 'say the machine, its load and the date a figure was measured on, not who else was using it');
  });

  it("the console lines the pages quote have today's wording", () => {
    // Quoted in a code block (a line of its own) or in backticks (which may wrap a line).
    const quoted = (text: string, start: string): string[] => [
      ...[...text.matchAll(new RegExp(`^(${start}.*)$`, 'gm'))].map((match) => match[1] ?? ''),
      ...[...text.matchAll(new RegExp('`(' + start + '[^`]*)`', 'g'))].map((match) => (match[1] ?? '').replace(/\s*\n\s*/g, ' ')),
    ];
    const stepLine = /^step \d+\/\d+ [\w-]+: [\w-]+, [\w-]+ workload, [\d,]+ connections, \d+ process(es)? × \d+ worker threads? \(\d+ slices?\)/;
    const doneLine = /^step \d+\/\d+ [\w-]+ (done|interrupted): [\d,]+ (requests|messages), [\d,]+ errors(, [\d,]+ events, [\d,]+ lost)?$/;
    const stale: string[] = [];
    for (const page of ['README.md', ...docPages]) {
      const text = read(page);
      for (const line of quoted(text, 'step \\d+/\\d+ ')) {
        if (!(line.includes(' done: ') || line.includes(' interrupted: ') ? doneLine : stepLine).test(line)) stale.push(`${page}: ${line}`);
      }
      // A sweep's verdict says what its figure was measured on (src/sweep/goal.ts).
      for (const line of quoted(text, 'best for ')) if (!/ \(\S+ [\d.]+ \S+, on [\d,]+ (requests|messages|…)/.test(line)) stale.push(`${page}: ${line}`);
    }
    assert.deepEqual(stale, [], 'quote what the console prints today: run it again and paste its lines');
  });

  it('the README names every Node version CI pins', () => {
    const pinned = [...read('.ci/run').matchAll(/node-from-npm (\d+\.\d+\.\d+)/g)].map((match) => match[1] ?? '');
    assert.ok(pinned.length > 0, '.ci/run pins no Node version');
    const readme = read('README.md');
    assert.deepEqual(
      pinned.filter((version) => !readme.includes(version)),
      [],
      'README.md must state the Node versions .ci/run tests',
    );
  });

  it('CHANGELOG.md opens with Unreleased and describes 0.1.0', () => {
    const headings = sectionsTitled(read('CHANGELOG.md'), '')
      .filter((section) => section.level === 2)
      .map((section) => section.heading);
    assert.equal(headings[0], 'Unreleased');
    assert.ok(headings.includes('0.1.0'));
  });
});
