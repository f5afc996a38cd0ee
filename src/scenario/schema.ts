// The JSON Schema of a scenario file, built from the field tables validation parses with
// (shapes.ts), so a field added there is in the schema with nothing else to change. Editors
// use it for completion and inline errors (`# yaml-language-server: $schema=…`); sockcap
// itself still validates with the parsers, which also check what a schema cannot say (files
// that exist, rules between fields).
import { mappingSchema, type JsonSchema } from './parsers.js';
import { baseShape, stepShape } from './shapes.js';

export function scenarioSchema(): JsonSchema {
  const base = mappingSchema(baseShape, false);
  const step = mappingSchema(stepShape, false);
  const steps = {
    type: 'array',
    description: 'runs one after the other, each the fields above with its own changes applied; name labels its row in summary.csv',
    items: step,
  };
  return {
    // Draft-07: the one editors' YAML and JSON language servers support best.
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'sockcap scenario',
    description: 'A sockcap scenario file: what load to send, to which target, and how to judge it (docs/scenario.md).',
    ...base,
    properties: { ...(base.properties as Record<string, JsonSchema>), steps },
  };
}
