import type { RunConfig } from './schema.js';

/** What a config file may export: a config, or a (possibly async) function that returns one. */
export type ConfigExport = RunConfig | ((env: ConfigEnv) => RunConfig | Promise<RunConfig>);

/** Passed to a config function. */
export interface ConfigEnv {
  /** The command running the config, e.g. `train`. */
  readonly command: string;
  /** The config file's absolute path. */
  readonly configFile: string;
}

/** Type your `sdxl.config.ts`: `export default defineConfig({ ... })`. Returns its argument unchanged. */
export function defineConfig<T extends ConfigExport>(config: T): T {
  return config;
}
