import { defineConfig } from '@sdxl-trainer/core';
import { sdxlPreset } from '@sdxl-trainer/preset-sdxl';

/**
 * The seed run of diffusers' README_sdxl.md, flag for flag:
 *
 *   accelerate launch train_text_to_image_sdxl.py \
 *     --pretrained_model_name_or_path=stabilityai/stable-diffusion-xl-base-1.0 \
 *     --pretrained_vae_model_name_or_path=madebyollin/sdxl-vae-fp16-fix \
 *     --dataset_name=lambdalabs/naruto-blip-captions \
 *     --enable_xformers_memory_efficient_attention --resolution=512 --center_crop --random_flip \
 *     --proportion_empty_prompts=0.2 --train_batch_size=1 --gradient_accumulation_steps=4 --gradient_checkpointing \
 *     --max_train_steps=10000 --use_8bit_adam --learning_rate=1e-06 --lr_scheduler="constant" --lr_warmup_steps=0 \
 *     --mixed_precision="fp16" --report_to="wandb" --validation_prompt="a cute Sundar Pichai creature" \
 *     --validation_epochs 5 --checkpointing_steps=5000 --output_dir="sdxl-naruto-model" --push_to_hub
 *
 * Differences, all stated: float32 throughout (TensorFlow.js has no fp16 compute; --mixed_precision is a no-op),
 * TensorBoard instead of W&B until the W&B reporter lands. --push_to_hub needs HF_TOKEN (checked before training). Full SDXL training needs the
 * tensorflow or tensorflow-gpu backend (`sdxl-train backend link tensorflow`) and ~40 GB for weights, gradients and
 * Adam states in float32 (8-bit Adam brings the states to ~5 GB); the wasm backend caps memory at 4 GiB.
 */
export default defineConfig({
  seed: 42,
  backend: 'auto',
  trainBatchSize: 1,
  gradientAccumulationSteps: 4,
  maxTrainSteps: 10_000,
  learningRate: 1e-6,
  lrScheduler: 'constant',
  lrWarmupSteps: 0,
  validationEpochs: 5,
  checkpointingSteps: 5000,
  outputDir: 'sdxl-naruto-model',
  plugins: [
    sdxlPreset({
      pretrainedModelNameOrPath: 'stabilityai/stable-diffusion-xl-base-1.0',
      pretrainedVaeModelNameOrPath: 'madebyollin/sdxl-vae-fp16-fix',
      datasetName: 'lambdalabs/naruto-blip-captions',
      enableXformersMemoryEfficientAttention: true,
      resolution: 512,
      centerCrop: true,
      randomFlip: true,
      proportionEmptyPrompts: 0.2,
      gradientCheckpointing: true,
      use8bitAdam: true,
      reportTo: 'tensorboard',
      validationPrompt: 'a cute Sundar Pichai creature',
      pushToHub: true,
    }),
  ],
});
