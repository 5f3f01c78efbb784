import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * Model names and types a run can hold; packages add theirs by declaration merging:
 * `declare module '@sdxl-trainer/core' { interface ModelMap { unet: UNet2DConditionModel } }`.
 */
export interface ModelMap {}

type ModelName = keyof ModelMap | (string & {});
type ModelOf<K> = K extends keyof ModelMap ? ModelMap[K] : unknown;

/** The models of a run by name (unet, vae, text_encoder, ...), filled in the loadModels hook. */
export class ModelSet {
  readonly #models = new Map<string, unknown>();

  set<K extends ModelName>(name: K, model: ModelOf<K>): void {
    this.#models.set(name, model);
  }

  get<K extends ModelName>(name: K): ModelOf<K> | undefined {
    return this.#models.get(name) as ModelOf<K> | undefined;
  }

  /** The model of that name, or an error saying which plugin should have loaded it. */
  require<K extends ModelName>(name: K, requiredBy: string): ModelOf<K> {
    if (!this.#models.has(name)) {
      throw new SdxlError(ErrorCode.PLUGIN_MISSING_DEPENDENCY, `${requiredBy} needs the model "${String(name)}", but no plugin loaded it in the loadModels hook`, {
        plugin: requiredBy,
      });
    }
    return this.#models.get(name) as ModelOf<K>;
  }

  has(name: string): boolean {
    return this.#models.has(name);
  }

  delete(name: string): boolean {
    return this.#models.delete(name);
  }

  names(): string[] {
    return [...this.#models.keys()];
  }
}
