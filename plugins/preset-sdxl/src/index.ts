export { sdxlPreset as default, sdxlPreset, presetOptionsOf, withPresetOptions, PRESET_OPTIONS_KEY } from './sdxlPreset.js';
export { parsePresetOptions, sdxlPresetOptionsSchema, PRESET_OPTIONS, type ResolvedSdxlPresetOptions, type SdxlPresetOptions } from './presetOptions.js';
