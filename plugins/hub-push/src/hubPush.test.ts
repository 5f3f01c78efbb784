import { type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { LOCAL_HUB_TOKEN, sha256Hex, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { recordRun, toyTrainer } from '@sdxl-trainer/tests-toy';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import hubPush, { NAME } from './hubPush.js';
import { pushFolder } from './pushFolder.js';
import { fakeRunOutput, readTree, removeTempDirs, tempDir, TEST_PNGS, TEST_PROMPT, VAE_WEIGHTS } from './testing/fakeRunOutput.js';

let hub: LocalHub;
beforeEach(async () => {
  hub = await startLocalHub();
});
afterEach(async () => {
  await hub.close();
});
afterAll(removeTempDirs);

interface Seen {
  steps: number;
  requestsAtStep1: string[] | undefined;
  logs: Array<{ level: string; message: string }>;
  pushed: Array<{ repoId: string; commit: string; files: readonly string[] }>;
}

/** Records the steps, the Hub requests made before step 1, the log lines and the hub-push events of a run. */
function probe(seen: Seen, stopAt?: number): TrainerPlugin {
  const name = 'test:probe';
  return {
    name,
    apply(t) {
      t.hooks.beforeStep.tap(name, ({ step }) => {
        if (step === 1) seen.requestsAtStep1 = hub.requests.map((r) => `${r.method} ${r.path}`);
      });
      t.hooks.afterStep.tap(name, ({ step }) => {
        seen.steps += 1;
        if (step === stopAt) t.requestStop('test stop');
      });
      t.events$.subscribe((e) => {
        if (e.type === 'log') seen.logs.push({ level: e.level, message: e.message });
        if (e.type === 'hub-push:pushed') seen.pushed.push(e);
      });
    },
  };
}
const newSeen = (): Seen => ({ steps: 0, requestsAtStep1: undefined, logs: [], pushed: [] });

/** A run's outputDir in a fresh temp folder, named so the repo name derived from it is known. */
const outputFolder = async (name: string) => join(await tempDir(), name);
const auth = () => ({ hubToken: LOCAL_HUB_TOKEN, endpoint: hub.url, env: {} });

/** The repo's files at main as path → sha256 (without the .gitattributes the server adds when creating a repo). */
const repoTree = (repoId: string) =>
  new Map(hub.listFiles('model', repoId).filter((p) => p !== '.gitattributes').map((p) => [p, sha256Hex(hub.getFile('model', repoId, p)!)]));

/** What the output folder should push: every file but step_*, temporary files and (unless kept) checkpoint-*. */
async function expectedTree(outputDir: string, keepCheckpoints = false): Promise<Map<string, string>> {
  const local = [...(await readTree(outputDir))].map(([p, content]) => [p, sha256Hex(content)] as const);
  return new Map(local.filter(([p]) => !p.startsWith('step_') && !p.includes('.tmp') && (keepCheckpoints || !p.startsWith('checkpoint-'))));
}

async function runRejection(trainer: { run(): Promise<unknown> }): Promise<SdxlError> {
  try {
    await trainer.run();
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected the run to fail');
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('hubPush in a training run', () => {
  it('creates the repo before step 1 and, at the end, pushes the output folder with a model card and the test images', async () => {
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
    const outputDir = await outputFolder('sdxl-naruto');
    const seen = newSeen();
    await recordRun({
      outputDir,
      maxTrainSteps: 3,
      extraPlugins: [
        fakeRunOutput({ leftovers: true }),
        hubPush({ ...auth(), modelCard: { baseModel: 'stabilityai/stable-diffusion-xl-base-1.0', dataset: 'lambdalabs/naruto-blip-captions' } }),
        probe(seen),
      ],
    });
    const repoId = 'local-user/sdxl-naruto'; // <whoami>/<basename(outputDir)>
    expect(seen.requestsAtStep1).toEqual(['GET /api/whoami-v2', 'POST /api/repos/create']);
    expect(seen.steps).toBe(3);

    // The push: the folder's contents at the repo root, one commit, leftovers and checkpoints left out.
    const tree = repoTree(repoId);
    expect(tree).toEqual(await expectedTree(outputDir));
    for (const path of ['README.md', 'image_0.png', 'image_1.png', 'model_index.json', 'unet/diffusion_pytorch_model.safetensors', 'logs/events.out.tfevents.1.host']) {
      expect(tree.has(path), path).toBe(true);
    }
    for (const path of ['checkpoint-2/trainer_state.json', 'step_1/notes.txt', '.README.md.00ff00ff.tmp']) expect(tree.has(path), path).toBe(false);
    expect(hub.isLfs('model', repoId, 'vae/diffusion_pytorch_model.safetensors')).toBe(true);
    expect(hub.commits('model', repoId).map((c) => c.title)).toEqual(['initial commit', 'End of training']);
    expect(seen.pushed).toEqual([expect.objectContaining({ repoId, commit: hub.branchHead('model', repoId) })]);

    // The card: the final test images copied beside it as image_<i>.png, README.md written locally and pushed.
    TEST_PNGS.forEach((png, i) => expect(tree.get(`image_${i}.png`)).toBe(sha256Hex(png)));
    const readme = text(hub.getFile('model', repoId, 'README.md'));
    expect(readme).toBe(await readFile(join(outputDir, 'README.md'), 'utf8'));
    expect(readme).toMatch(/^---\nbase_model: stabilityai\/stable-diffusion-xl-base-1.0\ndatasets:\n- lambdalabs\/naruto-blip-captions\nlibrary_name: diffusers\nlicense: creativeml-openrail-m\ntags:\n/);
    expect(readme).toContain('- stable-diffusion-xl-diffusers\n');
    expect(readme).toContain('inference: true\n---\n');
    expect(readme).toContain(`# Text-to-image fine-tuning - ${repoId}`);
    expect(readme).toContain(`from the prompt: ${TEST_PROMPT}`); // read off the test images' captions
    expect(readme).toContain('![img_0](./image_0.png)\n![img_1](./image_1.png)');
    expect(readme).toContain('| optimizer steps (--max_train_steps) | 3 |');
    expect(readme).toContain('| batch size (--train_batch_size) | 4 |');

    // Public by default: readable without a token. No console output.
    expect((await fetch(`${hub.url}/api/models/${repoId}`)).status).toBe(200);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(seen.logs.some((l) => l.level === 'info' && l.message.startsWith(`created the Hub repo ${hub.url}/${repoId} (public)`))).toBe(true);
  });

  it('honours hubModelId, private, HF_TOKEN / HF_ENDPOINT, and reads the base model and a swapped VAE off the model sources', async () => {
    const sources: TrainerPlugin = {
      name: 'test:sources',
      apply: (t) =>
        t.hooks.resolveModelFiles.tap('test:sources', () => ({
          unet: { path: 'stabilityai/stable-diffusion-xl-base-1.0', subfolder: 'unet' },
          vae: { path: 'madebyollin/sdxl-vae-fp16-fix' },
        })),
    };
    const outputDir = await outputFolder('ignored-name');
    await recordRun({
      outputDir,
      maxTrainSteps: 2,
      extraPlugins: [sources, fakeRunOutput(), hubPush({ hubModelId: 'org/private-run', private: true, env: { HF_TOKEN: LOCAL_HUB_TOKEN, HF_ENDPOINT: hub.url } })],
    });
    expect((await fetch(`${hub.url}/api/models/org/private-run`)).status).toBe(401);
    const info = (await (await fetch(`${hub.url}/api/models/org/private-run`, { headers: { authorization: `Bearer ${LOCAL_HUB_TOKEN}` } })).json()) as { private: boolean };
    expect(info.private).toBe(true);
    expect(hub.requests.some((r) => r.path === '/api/whoami-v2')).toBe(false); // a full id needs no whoami
    const readme = text(hub.getFile('model', 'org/private-run', 'README.md'));
    expect(readme).toContain('base_model: stabilityai/stable-diffusion-xl-base-1.0\n');
    expect(readme).toContain('Special VAE used for training: madebyollin/sdxl-vae-fp16-fix.');
    expect(repoTree('org/private-run')).toEqual(await expectedTree(outputDir));
  });

  it('fails before step 1, sending nothing, when there is no token', async () => {
    const outputDir = await outputFolder('no-token');
    const seen = newSeen();
    const trainer = toyTrainer({
      outputDir,
      maxTrainSteps: 3,
      plugins: [fakeRunOutput(), hubPush({ endpoint: hub.url, env: { HF_TOKEN_PATH: join(outputDir, 'no-such-token') } }), probe(seen)],
    });
    const error = await runRejection(trainer);
    expect(error.code).toBe(ErrorCode.HUB_AUTH_REQUIRED);
    expect(error.plugin).toBe(NAME);
    expect(error.message).toContain('set HF_TOKEN, pass hubToken (--hub_token), or run `huggingface-cli login`');
    expect(error.message).toContain('nothing was trained');
    expect(seen.steps).toBe(0);
    expect(hub.requests).toEqual([]);
    expect(existsSync(outputDir)).toBe(false); // saveModel never ran
  });

  it('fails before step 1 when the repo cannot be created: a refused token, or a Hub that keeps failing', async () => {
    const refusedSeen = newSeen();
    const refused = await runRejection(
      toyTrainer({ outputDir: await outputFolder('refused'), plugins: [hubPush({ ...auth(), hubToken: 'hf_wrong', hubModelId: 'me/x' }), probe(refusedSeen)] }),
    );
    expect(refused.code).toBe(ErrorCode.HUB_ACCESS_DENIED);
    expect(refused.message).toContain('could not create the Hub repo "me/x"');
    expect(refused.message).toContain('before training (nothing was trained)');
    expect(refusedSeen.steps).toBe(0);

    hub.failNext({ path: '/api/repos/create', status: 500, times: Infinity });
    const downSeen = newSeen();
    const down = await runRejection(
      toyTrainer({ outputDir: await outputFolder('down'), plugins: [hubPush({ ...auth(), hubModelId: 'me/y', retries: 1, retryDelayMs: 0 }), probe(downSeen)] }),
    );
    expect(down.code).toBe(ErrorCode.HUB_REQUEST_FAILED);
    expect(down.message).toContain('HTTP 500');
    expect(hub.requests.filter((r) => r.path === '/api/repos/create' && r.status === 500)).toHaveLength(2); // one retry
    expect(downSeen.steps).toBe(0);
  });

  it('fails before step 1 when the output folder’s name is no repo name or HF_HUB_OFFLINE is set, and checks its options', async () => {
    const seen = newSeen();
    const error = await runRejection(toyTrainer({ outputDir: await outputFolder('my output'), plugins: [hubPush(auth()), probe(seen)] }));
    expect(error.code).toBe(ErrorCode.HUB_INVALID_REPO_ID);
    expect(error.message).toContain('Set hubModelId (--hub_model_id)');
    expect(seen.steps).toBe(0);
    const offline = await runRejection(toyTrainer({ outputDir: await outputFolder('offline'), plugins: [hubPush({ ...auth(), env: { HF_HUB_OFFLINE: '1' } })] }));
    expect(offline.message).toContain('--push_to_hub cannot work offline: HF_HUB_OFFLINE is set');
    expect(() => hubPush({ retries: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: expect.stringContaining('retries: got -1; expected a non-negative integer') }));
    expect(() => hubPush({ hub_model_id: 'x' } as never)).toThrow(/unknown option "hub_model_id"; did you mean "hubModelId"\?/);
    expect(() => hubPush({ modelCard: { base_model: 'x' } } as never)).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }));
  });

  it('pushes checkpoint-* folders only with pushCheckpoints (and warns when no checkpointing plugin makes any)', async () => {
    const outputDir = await outputFolder('with-checkpoints');
    const seen = newSeen();
    await recordRun({ outputDir, maxTrainSteps: 2, extraPlugins: [fakeRunOutput({ leftovers: true }), hubPush({ ...auth(), pushCheckpoints: true }), probe(seen)] });
    const tree = repoTree('local-user/with-checkpoints');
    expect(tree).toEqual(await expectedTree(outputDir, true));
    expect(tree.has('checkpoint-2/trainer_state.json')).toBe(true);
    expect(tree.has('checkpoint-3.tmp-0a1b2c/trainer_state.json')).toBe(false);
    expect(seen.logs.some((l) => l.level === 'warn' && l.message.includes('no checkpointing plugin'))).toBe(true);
  });

  it('resumes an upload whose connection drops mid LFS transfer, within the run', async () => {
    hub.failNext({ method: 'PUT', path: `/__lfs-upload/${sha256Hex(VAE_WEIGHTS)}`, resetConnection: true });
    const outputDir = await outputFolder('flaky');
    const seen = newSeen();
    await recordRun({ outputDir, maxTrainSteps: 2, extraPlugins: [fakeRunOutput(), hubPush({ ...auth(), retryDelayMs: 20 }), probe(seen)] });
    const vaePuts = hub.requests.filter((r) => r.method === 'PUT' && r.path.includes(sha256Hex(VAE_WEIGHTS)));
    expect(vaePuts.map((r) => r.status)).toEqual([0, 200]);
    expect(seen.logs.some((l) => l.level === 'warn' && /push to .* failed \(attempt 1\).*retrying/.test(l.message))).toBe(true);
    expect(repoTree('local-user/flaky')).toEqual(await expectedTree(outputDir));
    expect(seen.logs.some((l) => l.message.includes('2 attempts'))).toBe(true);
  });

  it('fails the run with HUB_UPLOAD_FAILED when the push keeps failing, keeps the output, and pushFolder then completes it', async () => {
    hub.failNext({ method: 'PUT', path: `/__lfs-upload/${sha256Hex(VAE_WEIGHTS)}`, resetConnection: true, times: Infinity });
    const outputDir = await outputFolder('offline-end');
    const error = await runRejection(toyTrainer({ outputDir, maxTrainSteps: 2, plugins: [fakeRunOutput(), hubPush({ ...auth(), retries: 1, retryDelayMs: 0 })] }));
    expect(error.code).toBe(ErrorCode.HUB_UPLOAD_FAILED);
    expect(error).toMatchObject({ plugin: NAME, hook: 'afterTrain' });
    expect(error.message).toContain(`to the Hub repo "local-user/offline-end" failed after 2 attempts`);
    expect(error.message).toContain(`pushFolder(${JSON.stringify(outputDir)}, { repoId: "local-user/offline-end" })`);
    expect(hub.commits('model', 'local-user/offline-end').map((c) => c.title)).toEqual(['initial commit']);
    expect(existsSync(join(outputDir, 'README.md')) && existsSync(join(outputDir, 'image_1.png'))).toBe(true);

    hub.clearFaults();
    const result = await pushFolder(outputDir, { repoId: 'local-user/offline-end', token: LOCAL_HUB_TOKEN, endpoint: hub.url, env: {} });
    expect(result.attempts).toBe(1);
    expect(repoTree('local-user/offline-end')).toEqual(await expectedTree(outputDir));
  });

  it('does not push a stopped run unless pushStopped, which notes the stop in the commit and the card', async () => {
    const seen = newSeen();
    const quietDir = await outputFolder('stopped-quiet');
    await recordRun({ outputDir: quietDir, maxTrainSteps: 5, extraPlugins: [fakeRunOutput(), hubPush(auth()), probe(seen, 2)] });
    expect(seen.steps).toBe(2);
    expect(hub.commits('model', 'local-user/stopped-quiet').map((c) => c.title)).toEqual(['initial commit']);
    const warning = seen.logs.find((l) => l.level === 'warn' && l.message.startsWith('not pushing'));
    expect(warning?.message).toContain('stopped early at step 2 of 5 (test stop)');
    expect(warning?.message).toContain(`pushFolder(${JSON.stringify(quietDir)}, { repoId: "local-user/stopped-quiet" })`);

    const pushedDir = await outputFolder('stopped-pushed');
    await recordRun({ outputDir: pushedDir, maxTrainSteps: 5, extraPlugins: [fakeRunOutput(), hubPush({ ...auth(), pushStopped: true }), probe(newSeen(), 2)] });
    expect(hub.commits('model', 'local-user/stopped-pushed').at(-1)?.title).toBe('End of training (stopped early at step 2 of 5)');
    const readme = text(hub.getFile('model', 'local-user/stopped-pushed', 'README.md'));
    expect(readme).toContain('> This run was stopped early at step 2 of 5 (test stop).');
    expect(readme).not.toContain('image_0.png'); // no final test for a stopped run
    expect(readme).toContain('| optimizer steps (--max_train_steps) | 2 of 5 (stopped) |');
  });

  it('leaves README.md alone with modelCard: false', async () => {
    const outputDir = await outputFolder('own-card');
    const own: TrainerPlugin = { name: 'test:own-card', apply: (t) => t.hooks.saveModel.tapPromise('test:own-card', async ({ outputDir: dir }) => void (await import('node:fs/promises')).writeFile(join(dir, 'README.md'), '# mine\n')) };
    await recordRun({ outputDir, maxTrainSteps: 1, extraPlugins: [fakeRunOutput(), own, hubPush({ ...auth(), modelCard: false })] });
    expect(text(hub.getFile('model', 'local-user/own-card', 'README.md'))).toBe('# mine\n');
    expect(hub.listFiles('model', 'local-user/own-card')).not.toContain('image_0.png');
  });
});
