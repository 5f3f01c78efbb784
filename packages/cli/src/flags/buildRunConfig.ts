import { loadConfig, parseConfig, type ResolvedConfig, type RunConfig } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { presetOptionsOf, sdxlPreset, withPresetOptions, type SdxlPresetOptions } from '@sdxl-trainer/preset-sdxl';
import type { ParsedCommandLine } from './parseScriptFlags.js';

/**
 * The run config a command line asks for. With `--config`, the file is loaded and the flags win over it: core
 * flags replace its options, preset flags are merged into its SDXL preset. Without `--config`, the flags alone
 * build the SDXL preset, as `accelerate launch train_text_to_image_sdxl.py <flags>` would.
 */
export async function buildRunConfig(commandLine: ParsedCommandLine): Promise<ResolvedConfig> {
  const { cli, core, preset } = commandLine;
  const own: Partial<RunConfig> = {
    ...(cli.backend !== undefined ? { backend: cli.backend as RunConfig['backend'] } : {}),
    ...(cli.threads !== undefined ? { threads: Number(cli.threads) } : {}),
  };
  const hasPresetFlags = Object.keys(preset).length > 0;
  if (typeof cli.config === 'string') {
    const fromFile = await loadConfig(cli.config);
    const plugins = hasPresetFlags ? presetWithFlags(fromFile, preset, cli.config) : fromFile.plugins;
    return parseConfig({ ...fromFile, ...core, ...own, plugins }, `${cli.config} + command-line flags`);
  }
  if (!hasPresetFlags && Object.keys(core).length === 0) {
    throw new SdxlError(ErrorCode.CLI_USAGE, 'nothing to train: pass --config <file>, or the flags of train_text_to_image_sdxl.py (--pretrained_model_name_or_path and --dataset_name or --train_data_dir at least)');
  }
  if (!preset.pretrainedModelNameOrPath) {
    throw new SdxlError(ErrorCode.CLI_USAGE, '--pretrained_model_name_or_path is required (a local SDXL diffusers folder or a Hub id), unless --config names a config file');
  }
  return parseConfig({ ...core, ...own, plugins: [sdxlPreset(preset as SdxlPresetOptions)] }, 'command-line flags');
}

function presetWithFlags(config: ResolvedConfig, preset: Partial<SdxlPresetOptions>, file: string) {
  if (!presetOptionsOf(config.plugins)) {
    throw new SdxlError(ErrorCode.CLI_USAGE, `flags ${Object.keys(preset).map((k) => `--${k.replace(/[A-Z0-9]+/g, (m) => `_${m.toLowerCase()}`)}`).join(', ')} set SDXL preset options, but ${file} has no sdxlPreset(): add it to the config's plugins, or drop the flags`);
  }
  return withPresetOptions(config.plugins, preset);
}
