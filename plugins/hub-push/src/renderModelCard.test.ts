import { describe, expect, it } from 'vitest';
import { MODEL_CARD_TAGS, renderModelCard } from './renderModelCard.js';

// Reference: huggingface_hub's ModelCardData(license="creativeml-openrail-m", library_name="diffusers", inference=True,
// base_model=..., instance_prompt=None, widget=None) after diffusers' populate_model_card(tags=[the script's five]),
// dumped with ModelCardData.to_yaml() (huggingface_hub main, repocard_data.py; run once with PyYAML 6.0.3).
const SCRIPT_YAML = `base_model: stabilityai/stable-diffusion-xl-base-1.0
library_name: diffusers
license: creativeml-openrail-m
tags:
- stable-diffusion-xl
- stable-diffusion-xl-diffusers
- text-to-image
- diffusers-training
- diffusers
inference: true`;
// The same with datasets=["lambdalabs/naruto-blip-captions"]: `datasets` comes right after `base_model`.
const WITH_DATASET_HEAD = `base_model: a/b
datasets:
- lambdalabs/naruto-blip-captions
library_name: diffusers`;

const frontMatter = (card: string): string => {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
  if (match === null) throw new Error(`no front matter in:\n${card}`);
  return match[1]!;
};

describe('renderModelCard', () => {
  it("writes the script's metadata in huggingface_hub's key order, plus the sdxl-trainer tag", () => {
    const card = renderModelCard({ repoId: 'me/sdxl-naruto', baseModel: 'stabilityai/stable-diffusion-xl-base-1.0' });
    expect(frontMatter(card)).toBe(SCRIPT_YAML.replace('- diffusers\ninference', '- diffusers\n- sdxl-trainer\ninference'));
    expect(MODEL_CARD_TAGS.slice(0, 5)).toEqual(['stable-diffusion-xl', 'stable-diffusion-xl-diffusers', 'text-to-image', 'diffusers-training', 'diffusers']);
    const withDataset = renderModelCard({ repoId: 'me/x', baseModel: 'a/b', dataset: 'lambdalabs/naruto-blip-captions' });
    expect(frontMatter(withDataset).startsWith(WITH_DATASET_HEAD)).toBe(true);
  });

  it('describes the run: repo, base model, dataset, prompt, the images in order, and the special VAE', () => {
    const card = renderModelCard({
      repoId: 'me/sdxl-naruto',
      baseModel: 'stabilityai/stable-diffusion-xl-base-1.0',
      dataset: 'lambdalabs/naruto-blip-captions',
      vae: 'madebyollin/sdxl-vae-fp16-fix',
      validationPrompt: 'a cute Sundar Pichai creature',
      images: ['image_0.png', 'image_1.png'],
    });
    expect(card).toContain('# Text-to-image fine-tuning - me/sdxl-naruto');
    expect(card).toContain('fine-tuned from **stabilityai/stable-diffusion-xl-base-1.0** on the **lambdalabs/naruto-blip-captions** dataset');
    expect(card).toContain('from the prompt: a cute Sundar Pichai creature');
    expect(card).toContain('![img_0](./image_0.png)\n![img_1](./image_1.png)');
    expect(card).toContain('Special VAE used for training: madebyollin/sdxl-vae-fp16-fix.');
    expect(card).toContain('DiffusionPipeline.from_pretrained("me/sdxl-naruto"');
    expect(card).toContain("npx sdxl-generate --model me/sdxl-naruto --prompt 'a cute Sundar Pichai creature'");
  });

  it('keeps local paths and unknowns out of the metadata (the Hub refuses them) but names them in the text', () => {
    const card = renderModelCard({ repoId: 'me/x', baseModel: '/models/sdxl', dataset: './data', images: [] });
    expect(frontMatter(card)).not.toMatch(/base_model|datasets/);
    expect(card).toContain('fine-tuned from **/models/sdxl** on the **./data** dataset');
    const told = renderModelCard({ repoId: 'me/x', baseModel: 'models/sdxl', onHub: { baseModel: false } });
    expect(frontMatter(told)).not.toContain('base_model');
    const bare = renderModelCard({ repoId: 'me/x' });
    expect(bare).toContain('This pipeline was fine-tuned with sdxl-trainer.');
    expect(bare).not.toContain('Below are example images');
    expect(bare).not.toContain('Special VAE');
  });

  it('embeds no images without a prompt sentence, and shows the training table with | escaped', () => {
    const card = renderModelCard({ repoId: 'me/x', training: [['learning rate', '1e-5'], ['a|b', 'c\nd']], note: 'This run was stopped early.' });
    expect(card).toContain('## Training details\n\n| setting | value |\n| --- | --- |\n| learning rate | 1e-5 |\n| a\\|b | c d |');
    expect(card).toContain('> This run was stopped early.');
  });

  it('quotes a license YAML would misread', () => {
    expect(frontMatter(renderModelCard({ repoId: 'me/x', license: 'other: mine' }))).toContain('license: "other: mine"');
  });
});
