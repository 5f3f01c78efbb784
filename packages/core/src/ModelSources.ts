/** Where one model component comes from: a local folder or a Hub id, and which files in it. */
export interface ModelSource {
  /** Local folder or Hub id ("org/name"). */
  readonly path: string;
  /** Folder inside `path` (e.g. `unet`); undefined for a repo that is the component itself (a swapped VAE). */
  readonly subfolder?: string | undefined;
  /** Hub revision (branch, tag or commit). */
  readonly revision?: string | undefined;
  /** Weight variant, e.g. `fp16` (`*.fp16.safetensors`). */
  readonly variant?: string | undefined;
}

/**
 * Model components by name (`unet`, `vae`, `text_encoder`, ...), as the resolveModelFiles waterfall leaves them.
 * Plugins that load a component read its source here, so another plugin can redirect it (VAE swap).
 */
export type ModelSources = Readonly<Record<string, ModelSource>>;
