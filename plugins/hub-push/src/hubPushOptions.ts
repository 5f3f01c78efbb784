import type { OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** What the model card says beyond what the run knows; every field is optional. */
export const modelCardOptionsSchema = z
  .object({
    /** The model the run fine-tuned (`--pretrained_model_name_or_path`); default: the run's `unet` source. */
    baseModel: z.string().min(1).optional(),
    /** A VAE used instead of the base model's (`--pretrained_vae_model_name_or_path`); default: a swapped `vae` source. */
    vae: z.string().min(1).optional(),
    /** The training data (`--dataset_name`, or a folder for `--train_data_dir`). */
    dataset: z.string().min(1).optional(),
    /** The prompt of the example images (`--validation_prompt`); default: the caption of the final test images. */
    validationPrompt: z.string().min(1).optional(),
    /** License in the card's metadata. Default the script's `creativeml-openrail-m`. */
    license: z.string().min(1).default('creativeml-openrail-m'),
  })
  .strict();

/** Options of the hub-push plugin (`--push_to_hub`, `--hub_model_id`, `--hub_token`). */
export const hubPushOptionsSchema = z
  .object({
    /** Repo id `namespace/name`, or a bare `name` under the token's user (`--hub_model_id`). Default `<user>/<basename(outputDir)>`. */
    hubModelId: z.string().min(1).optional(),
    /** Access token with write permission (`--hub_token`). Default HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the `huggingface-cli login` file. */
    hubToken: z.string().min(1).optional(),
    /** Visibility of a repo this run creates (an existing repo keeps its own). Default: the Hub's (public). */
    private: z.boolean().optional(),
    /** Also upload the `checkpoint-*` folders (the script does; they hold optimizer state, often GBs). Default false. */
    pushCheckpoints: z.boolean().default(false),
    /** Also push a run that was stopped early (Ctrl-C, a plugin), with a note in the commit message. Default false. */
    pushStopped: z.boolean().default(false),
    /** Commit title of the push. Default the script's "End of training". */
    commitMessage: z.string().min(1).default('End of training'),
    /** Hub URL. Default HF_ENDPOINT, else https://huggingface.co. */
    endpoint: z.url().optional(),
    /** Model card facts, or `false` to leave README.md alone (write your own). */
    modelCard: z.union([z.literal(false), modelCardOptionsSchema]).default({ license: 'creativeml-openrail-m' }),
    /** Folder of the final test images `<i>.png` (the validation plugin's `imagesDir/final`). Default `<outputDir>/validation/final`. */
    testImagesDir: z.string().min(1).optional(),
    /** More fnmatch patterns of files not to upload (relative to outputDir; `*` crosses `/`; a trailing `/` means a folder). */
    ignorePatterns: z.array(z.string().min(1)).default([]),
    /** Attempts after the first when the upload hits a network fault or a 5xx/429. Default 3. */
    retries: z.number().int().nonnegative().default(3),
    /** Wait before the first retry, doubled for each further one. Default 2000 ms. */
    retryDelayMs: z.number().nonnegative().default(2000),
    /** Environment to read HF_TOKEN / HF_ENDPOINT / HF_HOME from, instead of `process.env`. */
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** Options of {@link hubPushOptionsSchema} as a user writes them. */
export type HubPushOptions = z.input<typeof hubPushOptionsSchema>;

/** Options after validation, defaults filled. */
export type ResolvedHubPushOptions = z.output<typeof hubPushOptionsSchema>;

/** Model card options after validation. */
export type ModelCardOptions = z.output<typeof modelCardOptionsSchema>;

/** What each option accepts, for error messages. */
export const HUB_PUSH_OPTION_EXPECTED: Readonly<Record<keyof HubPushOptions, OptionDescription>> = {
  hubModelId: { flag: '--hub_model_id', expected: 'a repo id "namespace/name" or "name"' },
  hubToken: { flag: '--hub_token', expected: 'a Hub access token with write permission' },
  private: 'true or false',
  pushCheckpoints: 'true or false',
  pushStopped: 'true or false',
  commitMessage: 'a non-empty string',
  endpoint: { flag: 'HF_ENDPOINT', expected: 'a URL such as https://huggingface.co' },
  modelCard: 'false, or an object with baseModel, vae, dataset, validationPrompt, license (strings)',
  testImagesDir: 'a folder path',
  ignorePatterns: 'an array of fnmatch patterns',
  retries: 'a non-negative integer',
  retryDelayMs: 'a non-negative number of milliseconds',
  env: 'an object of environment variables (strings)',
};
