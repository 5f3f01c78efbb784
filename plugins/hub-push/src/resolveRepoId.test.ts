import { ErrorCode } from '@sdxl-trainer/errors';
import { hubSettings } from '@sdxl-trainer/hub';
import { LOCAL_HUB_TOKEN, startLocalHub } from '@sdxl-trainer/testing';
import { describe, expect, it } from 'vitest';
import { requestedRepoId, resolveRepoId } from './resolveRepoId.js';

describe('requestedRepoId', () => {
  it("is hubModelId, else the output folder's name (the script's `hub_model_id or Path(output_dir).name`)", () => {
    expect(requestedRepoId('org/model', 'out')).toBe('org/model');
    expect(requestedRepoId(undefined, '/runs/sdxl-naruto/')).toBe('sdxl-naruto');
    expect(requestedRepoId(undefined, 'runs/sdxl-naruto')).toBe('sdxl-naruto');
  });

  it('refuses what the Hub would refuse, naming where the name came from', () => {
    expect(() => requestedRepoId(undefined, '/runs/my output')).toThrow(expect.objectContaining({ code: ErrorCode.HUB_INVALID_REPO_ID, message: expect.stringContaining(`the output folder's name "my output"`) }));
    expect(() => requestedRepoId('org/a--b', 'out')).toThrow(expect.objectContaining({ code: ErrorCode.HUB_INVALID_REPO_ID, message: expect.stringContaining('hubModelId (--hub_model_id) "org/a--b"') }));
  });
});

describe('resolveRepoId', () => {
  it('puts a bare name under the user the token belongs to, and leaves a full id alone without asking', async () => {
    const hub = await startLocalHub({ user: 'alice' });
    try {
      const settings = hubSettings({ endpoint: hub.url, token: LOCAL_HUB_TOKEN, env: {} });
      expect(await resolveRepoId('sdxl-naruto', settings)).toBe('alice/sdxl-naruto');
      expect(hub.requests.map((r) => `${r.method} ${r.path} ${r.headers['authorization']}`)).toEqual([`GET /api/whoami-v2 Bearer ${LOCAL_HUB_TOKEN}`]);
      expect(await resolveRepoId('org/model', settings)).toBe('org/model');
      expect(hub.requests).toHaveLength(1);
      await expect(resolveRepoId('x', { ...settings, token: 'hf_wrong' })).rejects.toMatchObject({ code: ErrorCode.HUB_AUTH_REQUIRED, message: expect.stringContaining('refused the Hub token (403') });
    } finally {
      await hub.close();
    }
  });

  it('reports a Hub it cannot reach', async () => {
    const hub = await startLocalHub();
    const url = hub.url;
    await hub.close();
    const settings = hubSettings({ endpoint: url, token: LOCAL_HUB_TOKEN, env: {} });
    await expect(resolveRepoId('x', settings)).rejects.toMatchObject({ code: ErrorCode.HUB_NETWORK_ERROR, message: expect.stringContaining(`Could not reach ${url}`) });
  });
});
