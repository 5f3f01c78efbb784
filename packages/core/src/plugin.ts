import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { Trainer } from './Trainer.js';

/**
 * A plugin: plain data made by a factory function (webpack, Rollup and Vite's shape).
 * In `apply` it taps the trainer's hooks and registers providers in `trainer.container`.
 */
export interface TrainerPlugin {
  /** Shown in logs and errors; also the tap name of every hook it taps. Use the package name. */
  readonly name: string;
  /** Apply before (`pre`) or after (`post`) the built-in and normal plugins (Vite's `enforce`). */
  readonly enforce?: 'pre' | 'post' | undefined;
  /** Tap hooks and register providers. Called once, when the trainer is created. */
  apply(trainer: Trainer): void;
  /** Key of this plugin's state in a checkpoint; defaults to `name`. */
  readonly stateKey?: string | undefined;
  /** The plugin's resumable state: JSON values with tf.Tensor leaves. Saved into every checkpoint. */
  stateDict?(): StateDict;
  /** Restore what {@link TrainerPlugin.stateDict} returned. */
  loadStateDict?(state: StateDict): void;
}

/** A plugin's saved state: JSON values and tf.Tensor leaves. */
export type StateDict = Readonly<Record<string, unknown>>;

/** A plugin that carries state into checkpoints. */
export type StatefulPlugin = TrainerPlugin & Required<Pick<TrainerPlugin, 'stateDict' | 'loadStateDict'>>;

/**
 * What the `plugins` list accepts: plugins, nested arrays (presets), and falsy entries that are ignored,
 * so `plugins: [useEma && ema()]` works.
 */
export type PluginOption = TrainerPlugin | false | null | undefined | 0 | '' | readonly PluginOption[];

/** True for a plugin with both state methods. */
export function isStateful(plugin: TrainerPlugin): plugin is StatefulPlugin {
  return typeof plugin.stateDict === 'function' && typeof plugin.loadStateDict === 'function';
}

/**
 * Flatten presets, drop falsy entries, check every entry is a plugin, refuse two plugins with the same
 * state key, and order them: `pre`, then `normal`, then `post` (each group keeps the user's order).
 */
export function normalizePlugins(options: readonly PluginOption[]): { pre: TrainerPlugin[]; normal: TrainerPlugin[]; post: TrainerPlugin[] } {
  const flat: TrainerPlugin[] = [];
  const visit = (option: PluginOption, path: string): void => {
    if (!option) return;
    if (Array.isArray(option)) {
      (option as readonly PluginOption[]).forEach((inner, i) => visit(inner, `${path}[${i}]`));
      return;
    }
    flat.push(checkPlugin(option, path));
  };
  options.forEach((option, i) => visit(option, `plugins[${i}]`));

  const seen = new Map<string, string>();
  for (const plugin of flat) {
    const key = plugin.stateKey ?? plugin.name;
    if (isStateful(plugin) && seen.has(key)) {
      throw new SdxlError(ErrorCode.PLUGIN_DUPLICATE, `two stateful plugins share the state key "${key}"; give one of them a distinct stateKey`, {
        plugin: plugin.name,
      });
    }
    if (isStateful(plugin)) seen.set(key, plugin.name);
  }
  return {
    pre: flat.filter((p) => p.enforce === 'pre'),
    normal: flat.filter((p) => p.enforce === undefined),
    post: flat.filter((p) => p.enforce === 'post'),
  };
}

function checkPlugin(option: unknown, path: string): TrainerPlugin {
  if (typeof option === 'function') {
    throw new SdxlError(ErrorCode.PLUGIN_INVALID, `${path} is a function, not a plugin: call the factory, e.g. \`minSnr({ gamma: 5 })\` instead of \`minSnr\``, {
      details: { path },
    });
  }
  const candidate = option as Partial<TrainerPlugin> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string' || candidate.name === '' || typeof candidate.apply !== 'function') {
    throw new SdxlError(ErrorCode.PLUGIN_INVALID, `${path} is not a plugin: expected an object with a non-empty "name" and an "apply(trainer)" function, got ${describe(option)}`, {
      details: { path },
    });
  }
  if (candidate.enforce !== undefined && candidate.enforce !== 'pre' && candidate.enforce !== 'post') {
    throw new SdxlError(ErrorCode.PLUGIN_INVALID, `${path} (${candidate.name}) has enforce ${JSON.stringify(candidate.enforce)}; expected "pre", "post" or nothing`, {
      plugin: candidate.name,
    });
  }
  const hasSave = typeof candidate.stateDict === 'function';
  const hasLoad = typeof candidate.loadStateDict === 'function';
  if (hasSave !== hasLoad) {
    throw new SdxlError(ErrorCode.PLUGIN_INVALID, `${candidate.name} has ${hasSave ? 'stateDict() but no loadStateDict()' : 'loadStateDict() but no stateDict()'}; a stateful plugin needs both`, {
      plugin: candidate.name,
    });
  }
  return candidate as TrainerPlugin;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys ${JSON.stringify(Object.keys(value as object))}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
