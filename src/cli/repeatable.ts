// Repeatable flags (`--set`, `--vary`, `--threshold`) are lists that are empty when not given.
// They get no yargs default, which would print "[default: []]" in every help text; this
// middleware fills in the empty list instead (an optional variadic positional without a
// default comes as [undefined], read as empty too).
import type { Arguments } from 'yargs';

export function emptyLists(...keys: string[]): (argv: Arguments) => void {
  return (argv) => {
    for (const key of keys) {
      const given: unknown = argv[key];
      argv[key] = Array.isArray(given) ? given.filter((value) => value !== undefined) : given === undefined ? [] : [given];
    }
  };
}
