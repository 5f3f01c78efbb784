import { isRepoId } from '@sdxl-trainer/hub';
import { yamlScalar } from './yamlScalar.js';

/** The tags of the script's `save_model_card` (`populate_model_card(model_card, tags=...)`), then ours. */
export const MODEL_CARD_TAGS = ['stable-diffusion-xl', 'stable-diffusion-xl-diffusers', 'text-to-image', 'diffusers-training', 'diffusers', 'sdxl-trainer'] as const;

/** What a model card says about a run. */
export interface ModelCardInfo {
  readonly repoId: string;
  /** The fine-tuned model: a Hub id goes into the metadata too, anything else only into the text. */
  readonly baseModel?: string | undefined;
  /** The training data: a Hub id goes into the metadata (`datasets`) too. */
  readonly dataset?: string | undefined;
  /** A VAE used instead of the base model's. */
  readonly vae?: string | undefined;
  readonly validationPrompt?: string | undefined;
  /** Image files beside README.md (`image_0.png`, ...), embedded in order. */
  readonly images?: readonly string[] | undefined;
  /** Default `creativeml-openrail-m`, the script's. */
  readonly license?: string | undefined;
  /** Training facts as rows of a table: name, value. */
  readonly training?: ReadonlyArray<readonly [string, string]> | undefined;
  /** A remark shown under the description (e.g. that the run was stopped early). */
  readonly note?: string | undefined;
  /**
   * Whether `baseModel` / `dataset` name Hub repos (default: when shaped `namespace/name`). The Hub rejects a commit
   * whose README metadata names something that is not a repo id, such as a local path.
   */
  readonly onHub?: { readonly baseModel?: boolean | undefined; readonly dataset?: boolean | undefined } | undefined;
}

/**
 * The README.md the script's `save_model_card` writes (diffusers `load_or_create_model_card(from_training=True,
 * license, base_model, inference=True)` + `populate_model_card(tags)`): YAML metadata in huggingface_hub's
 * `ModelCardData` key order (base_model, datasets, library_name, license, tags, then inference), the description
 * naming the base model, dataset, prompt and special VAE, the example images, how to use it, and the training setup.
 */
export function renderModelCard(info: ModelCardInfo): string {
  const base = hubId(info.baseModel, info.onHub?.baseModel);
  const dataset = hubId(info.dataset, info.onHub?.dataset);
  const meta = [
    ...(base === undefined ? [] : [`base_model: ${yamlScalar(base)}`]),
    ...(dataset === undefined ? [] : ['datasets:', `- ${yamlScalar(dataset)}`]),
    'library_name: diffusers',
    `license: ${yamlScalar(info.license ?? 'creativeml-openrail-m')}`,
    'tags:',
    ...MODEL_CARD_TAGS.map((tag) => `- ${tag}`),
    'inference: true',
  ];
  const images = info.images ?? [];
  const from = info.baseModel === undefined ? '' : ` from **${info.baseModel}**`;
  const on = info.dataset === undefined ? '' : ` on the **${info.dataset}** dataset`;
  const description = [
    `# Text-to-image fine-tuning - ${info.repoId}`,
    '',
    `This pipeline was fine-tuned${from}${on} with sdxl-trainer.` +
      (images.length > 0 && info.validationPrompt !== undefined ? ` Below are example images the fine-tuned pipeline generated from the prompt: ${info.validationPrompt}` : ''),
    ...(images.length > 0 ? ['', ...images.map((file, i) => `![img_${i}](./${file})`)] : []),
    ...(info.vae === undefined ? [] : ['', `Special VAE used for training: ${info.vae}.`]),
    ...(info.note === undefined ? [] : ['', `> ${info.note}`]),
  ];
  return [
    '---',
    ...meta,
    '---',
    '',
    '<!-- This model card was written by @sdxl-trainer/plugin-hub-push from what the training run knew. Proofread and complete it, then remove this comment. -->',
    '',
    ...description,
    '',
    ...usage(info.repoId, info.validationPrompt),
    ...trainingTable(info.training ?? []),
  ].join('\n');
}

function hubId(value: string | undefined, onHub: boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (onHub ?? (value.includes('/') && isRepoId(value))) ? value : undefined;
}

function usage(repoId: string, prompt: string | undefined): string[] {
  const example = JSON.stringify(prompt ?? 'a photo of an astronaut riding a horse');
  return [
    '## How to use',
    '',
    'With diffusers:',
    '',
    '```python',
    'import torch',
    'from diffusers import DiffusionPipeline',
    '',
    `pipeline = DiffusionPipeline.from_pretrained(${JSON.stringify(repoId)}, torch_dtype=torch.float16).to("cuda")`,
    `image = pipeline(${example}, num_inference_steps=25).images[0]`,
    '```',
    '',
    'With sdxl-trainer, from Node:',
    '',
    '```sh',
    `npx sdxl-generate --model ${repoId} --prompt ${shellQuote(prompt ?? 'a photo of an astronaut riding a horse')} --steps 25`,
    '```',
    '',
  ];
}

function trainingTable(rows: ReadonlyArray<readonly [string, string]>): string[] {
  if (rows.length === 0) return [];
  const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return ['## Training details', '', '| setting | value |', '| --- | --- |', ...rows.map(([name, value]) => `| ${cell(name)} | ${cell(value)} |`), ''];
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
