// `sockcap schema`: prints the JSON Schema of scenario files, for editors and other tools.
import type { CommandModule } from 'yargs';
import { scenarioSchema } from '../scenario/schema.js';

export const schemaCommand: CommandModule = {
  command: 'schema',
  describe: 'Print the JSON Schema of scenario files (for editor completion and checks)',
  // bin.ts exits as soon as the command returns: a pipe gets the whole text only once it is flushed.
  handler: () =>
    new Promise<void>((resolve, reject) => {
      process.stdout.write(`${JSON.stringify(scenarioSchema(), null, 2)}\n`, (error) => (error ? reject(error) : resolve()));
    }),
};
