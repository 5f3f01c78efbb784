import type { PretrainedModel } from './PretrainedModel.js';
import type { PretrainedOptions } from './PretrainedOptions.js';
import { readConfigJson } from './readConfigJson.js';
import { resolveModelFiles } from './resolveModelFiles.js';
import type { WeightsFormat } from './WeightsFormat.js';

/** How {@link loadPretrained} makes one model class. */
export interface PretrainedRecipe<M extends PretrainedModel> {
  readonly format: WeightsFormat;
  /** Parses the raw config and builds the shape-only model (no weights). `configPath` is for messages. */
  build(raw: Record<string, unknown>, configPath: string): M;
  /** Whether weights are trainable unless the caller says otherwise. */
  readonly trainableByDefault: boolean;
}

/**
 * The body of every `fromPretrained`: find the files in the local folder, parse config.json, build the model from
 * shapes alone, set trainability, then stream the weights in (see PretrainedModel.loadWeights).
 */
export async function loadPretrained<M extends PretrainedModel>(root: string, options: PretrainedOptions, recipe: PretrainedRecipe<M>): Promise<M> {
  const files = await resolveModelFiles(root, options, recipe.format);
  const model = recipe.build(await readConfigJson(files.configPath), files.configPath);
  model.setTrainable(options.trainable ?? recipe.trainableByDefault);
  return model.loadWeights(files.weightsPath);
}
