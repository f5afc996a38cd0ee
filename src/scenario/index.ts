// The scenario module's public surface: loading, overriding, validating, units, defaults.

export { loadScenario, type LoadOptions } from './load.js';
export { applySet } from './overrides.js';
export { validateScenario, type ValidateOptions } from './validate.js';
export { UnitError, formatDuration, parseDuration, parseRate, parseSize } from './units.js';
export { defaults } from './defaults.js';
export * from './types.js';
