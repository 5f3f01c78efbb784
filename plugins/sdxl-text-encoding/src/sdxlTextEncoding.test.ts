import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArrayDataset, Rng, Stage, type Sample, type Trainer, type TrainerPlugin, type TrainerSnapshot } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { addTimeIds, getSdxlHooks, sdxlModelSources, TextEmbedder } from '@sdxl-trainer/sdxl';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { cloneSnapshot, recordRun } from '@sdxl-trainer/tests-toy';
import { isPromptDropped } from './isPromptDropped.js';
import { dropMask } from './zeroDroppedConditioning.js';
import { loadSdxlTextEmbedder } from './loadSdxlTextEmbedder.js';
import { EMPTY_PROMPT_FRACTION, NAME, sdxlTextEncoding } from './sdxlTextEncoding.js';

beforeAll(async () => {
  await setTestBackend();
});

const fixture = sdxlTinyFixture();

/** Provides the sdxl-tiny pipeline's components in resolveModelFiles, as the SDXL model plugin does. */
const fixtureModels: TrainerPlugin = {
  name: 'test:fixture-models',
  apply: (t) => t.hooks.resolveModelFiles.tapPromise('test:fixture-models', async (sources) => ({ ...sources, ...sdxlModelSources(fixture) })),
};

/** What the stand-in data and UNet plugins saw. */
interface Seen {
  captions: string[];
  modelsDuringPrecompute: string[];
  promptEmbeds: Float32Array[];
  /** Per micro-step: dataset indices and which rows came out of the conditioning hook as all zeros. */
  microSteps: { step: number; indices: number[]; zeroed: boolean[] }[];
  untouchedRowsEqual: boolean;
  afterPrecompute?: { models: string[]; encode: Promise<unknown> };
}

/**
 * Stand-in for the SDXL data and UNet plugins: captions pass the caption hook and the run's TextEmbedder at
 * precompute; every micro-step calls the conditioning hook with the batch's embeddings and add_time_ids, as the UNet
 * adapter does (here from sampleTimesteps, which sees the micro-step context).
 */
function conditionedToyData(seen: Seen): TrainerPlugin {
  const name = 'test:conditioned-data';
  return {
    name,
    apply(t: Trainer) {
      t.hooks.precompute.tapPromise(name, async (dataset) => {
        seen.modelsDuringPrecompute = t.models.names();
        const hooks = getSdxlHooks(t);
        const samples: Sample[] = [];
        for (let row = 0; row < dataset.size; row++) samples.push(await dataset.get(row));
        seen.captions = samples.map((s, row) => hooks.caption.call(`a ${String(s['label'])} number ${row}`, { row, seed: t.state.seed, origin: { file: 'toy', row } }) as string);
        const { promptEmbeds, pooled } = await t.container.resolve(TextEmbedder).encode(seen.captions);
        seen.promptEmbeds = promptEmbeds.map((e) => e.data as Float32Array);
        return new ArrayDataset(
          samples.map((s, row) => ({ ...s, promptEmbeds: promptEmbeds[row]!, pooledPromptEmbeds: pooled[row]!, originalSize: [96 + row, 80], cropTopLeft: [row, 4], targetSize: [64, 64] })),
        );
      });
      t.hooks.beforeTrain.tap(name, () => {
        const encode = t.container.resolve(TextEmbedder).encode(['too late']);
        encode.catch(() => undefined);
        seen.afterPrecompute = { models: t.models.names(), encode };
      });
      t.hooks.sampleTimesteps.tap({ name, stage: Stage.REPORT }, (sampler, context) => {
        const { batch } = context;
        const input = { promptEmbeds: batch.tensors['promptEmbeds'] as tf.Tensor3D, pooledPromptEmbeds: batch.tensors['pooledPromptEmbeds'] as tf.Tensor2D, timeIds: addTimeIds(batch) };
        const output = getSdxlHooks(t).conditioning.call(input, context);
        const rows = (x: tf.Tensor) => tf.unstack(tf.reshape(x, [batch.size, -1])).map((r) => r.dataSync());
        const [inRows, outRows] = [input, output].map((c) => [c.promptEmbeds, c.pooledPromptEmbeds, c.timeIds].map(rows));
        const zeroed = batch.indices.map((_, i) => outRows!.every((part) => part[i]!.every((v) => Object.is(v, 0))));
        zeroed.forEach((z, i) => {
          if (!z) seen.untouchedRowsEqual &&= outRows!.every((part, k) => part[i]!.every((v, j) => v === inRows![k]![i]![j]));
        });
        seen.microSteps.push({ step: context.step, indices: [...batch.indices], zeroed });
        return sampler;
      });
    },
  };
}

const freshSeen = (): Seen => ({ captions: [], modelsDuringPrecompute: [], promptEmbeds: [], microSteps: [], untouchedRowsEqual: true });

describe('sdxlTextEncoding options', () => {
  const problem = (options: unknown): string => {
    try {
      sdxlTextEncoding(options as never);
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
      return (error as Error).message;
    }
    throw new Error(`sdxlTextEncoding(${JSON.stringify(options)}) did not throw`);
  };

  it('names the option, the flag, the value and what was expected', () => {
    expect(problem({ proportionEmptyPrompts: 1.5 })).toMatch(/@sdxl-trainer\/plugin-sdxl-text-encoding: proportionEmptyPrompts \(--proportion_empty_prompts\): got 1.5; expected a number in \[0, 1\]/);
    expect(problem({ proportionEmptyPrompts: -0.1 })).toMatch(/got -0.1/);
    expect(problem({ emptyPromptMode: 'drop' })).toMatch(/emptyPromptMode: got "drop" \(a string\); expected "encode"/);
    expect(problem({ batchSize: 0 })).toMatch(/batchSize: got 0; expected a positive integer/);
    expect(problem({ proportionEmptyPrompt: 0.1 })).toMatch(/unknown option "proportionEmptyPrompt"; did you mean "proportionEmptyPrompts"\?/);
  });

  it('makes a plugin named after the package, with the script\'s defaults', () => {
    expect(sdxlTextEncoding().name).toBe('@sdxl-trainer/plugin-sdxl-text-encoding');
    expect(sdxlTextEncoding({}).name).toBe(NAME);
  });
});

describe('sdxlTextEncoding in a training run', () => {
  it('registers the TextEmbedder, loads the encoders in loadModels and frees them after the precompute', async () => {
    const seen = freshSeen();
    const logs: string[] = [];
    const run = await recordRun({ samples: 8, maxTrainSteps: 2, extraPlugins: [fixtureModels, sdxlTextEncoding(), conditionedToyData(seen), logTo(logs)] });
    expect(run.losses).toHaveLength(2);
    expect(seen.modelsDuringPrecompute).toEqual(expect.arrayContaining(['tokenizer', 'tokenizer_2', 'text_encoder', 'text_encoder_2']));
    expect(seen.afterPrecompute!.models).not.toContain('text_encoder');
    expect(seen.afterPrecompute!.models).not.toContain('text_encoder_2');
    await expect(seen.afterPrecompute!.encode).rejects.toMatchObject({ code: ErrorCode.MODEL_NOT_MATERIALIZED });
    expect(logs.some((l) => /^text encoders loaded: .* M parameters, frozen, float32/.test(l))).toBe(true);
    expect(logs.some((l) => /^freed the text encoders/.test(l))).toBe(true);
    // proportionEmptyPrompts 0: captions as given, conditioning untouched
    expect(seen.captions.every((c) => c.startsWith('a ring-'))).toBe(true);
    expect(seen.microSteps.flatMap((m) => m.zeroed).some(Boolean)).toBe(false);
    expect(seen.untouchedRowsEqual).toBe(true);
  });

  it('fails early with a clear message when nothing provides the model sources', async () => {
    await expect(recordRun({ maxTrainSteps: 1, extraPlugins: [sdxlTextEncoding()] })).rejects.toMatchObject({
      code: ErrorCode.PLUGIN_MISSING_DEPENDENCY,
      message: expect.stringMatching(/needs the model sources "tokenizer", "tokenizer_2", "text_encoder", "text_encoder_2"/),
    });
  });

  it('mode "encode": the rows drawn once per seed train on the embedding of ""', async () => {
    const seen = freshSeen();
    const logs: string[] = [];
    await recordRun({ seed: 5, maxTrainSteps: 1, samples: 12, extraPlugins: [fixtureModels, sdxlTextEncoding({ proportionEmptyPrompts: 0.5 }), conditionedToyData(seen), logTo(logs)] });
    const expected = seen.captions.map((_, row) => isPromptDropped(0.5, 5, row));
    expect(seen.captions.map((c) => c === '')).toEqual(expected);
    const dropped = expected.filter(Boolean).length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(12);
    expect(logs).toContain(`proportion_empty_prompts 0.5: ${dropped} of 12 captions replaced by "" for the whole run (seed 5)`);

    const reference = await loadSdxlTextEmbedder(sdxlModelSources(fixture));
    const empty = (await reference.encode(['']).finally(() => reference.dispose())).promptEmbeds[0]!.data;
    seen.promptEmbeds.forEach((embeds, row) => {
      if (expected[row]) expect(Array.from(embeds)).toEqual(Array.from(empty));
      else expect(Array.from(embeds)).not.toEqual(Array.from(empty));
    });
    // the script's mode leaves the conditioning alone at train time
    expect(seen.microSteps.flatMap((m) => m.zeroed).some(Boolean)).toBe(false);
  });

  it('mode "zero": zeroes the whole conditioning of a seeded share of each micro-batch and reports the share per step', async () => {
    const p = 0.4;
    const seen = freshSeen();
    const fractions = new Map<number, number>();
    const reporter: TrainerPlugin = {
      name: 'test:metrics',
      apply: (t) => void t.events$.subscribe((e) => e.type === 'metrics' && fractions.set(e.step, e.values[EMPTY_PROMPT_FRACTION]!)),
    };
    await recordRun({
      seed: 9,
      samples: 8,
      maxTrainSteps: 12,
      gradientAccumulationSteps: 2,
      loggingSteps: 1,
      extraPlugins: [fixtureModels, sdxlTextEncoding({ proportionEmptyPrompts: p, emptyPromptMode: 'zero' }), conditionedToyData(seen), reporter],
    });
    expect(seen.captions.some((c) => c === '')).toBe(false); // captions are kept
    expect(seen.untouchedRowsEqual).toBe(true);

    // the masks are the plugin's stream of the run seed, one draw per sample, micro-step after micro-step
    const stream = Rng.fromSeed(9, NAME);
    for (const micro of seen.microSteps) expect(micro.zeroed).toEqual(dropMask(stream, micro.indices.length, p));

    const all = seen.microSteps.flatMap((m) => m.zeroed);
    const share = all.filter(Boolean).length / all.length;
    expect(Math.abs(share - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / all.length));
    for (let step = 1; step <= 12; step++) {
      const micro = seen.microSteps.filter((m) => m.step === step).flatMap((m) => m.zeroed);
      expect(micro.length).toBeGreaterThan(4); // two micro-batches per step
      expect(fractions.get(step)).toBeCloseTo(micro.filter(Boolean).length / micro.length, 12);
    }
  });

  it('mode "zero": another seed drops other rows, and a resumed run drops exactly what the uninterrupted one did', async () => {
    const plugins = () => [fixtureModels, sdxlTextEncoding({ proportionEmptyPrompts: 0.5, emptyPromptMode: 'zero' })];
    const pattern = (s: Seen, fromStep = 0) => s.microSteps.filter((m) => m.step > fromStep).map((m) => m.zeroed);
    let saved: TrainerSnapshot | undefined;
    const saver: TrainerPlugin = { name: 'test:saver', apply: (t) => t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => void (step === 3 && (saved = cloneSnapshot(snapshot)))) };
    const whole = freshSeen();
    await recordRun({ seed: 3, samples: 8, maxTrainSteps: 6, checkpointingSteps: 3, extraPlugins: [...plugins(), conditionedToyData(whole), saver] });
    expect(saved!.rng[NAME]).toBeDefined(); // the plugin's stream rides in the checkpoint

    const resumed = freshSeen();
    const restorer: TrainerPlugin = { name: 'test:restorer', apply: (t) => t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(saved!)) };
    await recordRun({ seed: 3, samples: 8, maxTrainSteps: 6, extraPlugins: [...plugins(), conditionedToyData(resumed), restorer] });
    expect(pattern(resumed)).toEqual(pattern(whole, 3));

    const other = freshSeen();
    await recordRun({ seed: 4, samples: 8, maxTrainSteps: 6, extraPlugins: [...plugins(), conditionedToyData(other)] });
    expect(pattern(other)).not.toEqual(pattern(whole));
  });
});

/** Collects the run's log lines. */
function logTo(lines: string[]): TrainerPlugin {
  return { name: 'test:logs', apply: (t) => void t.events$.subscribe((e) => e.type === 'log' && lines.push(e.message)) };
}
