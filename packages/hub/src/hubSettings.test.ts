import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HUB_ENDPOINT, hubSettings } from './hubSettings.js';
import { removeTempDirs, tempDir } from './testSupport.js';

afterAll(removeTempDirs);

// Precedence and defaults follow huggingface_hub constants.py and utils/_auth.py.
describe('hubSettings', () => {
  it('defaults to huggingface.co and ~/.cache/huggingface/hub with nothing set', () => {
    const settings = hubSettings({ env: { HF_TOKEN_PATH: '/nonexistent/token' } });
    expect(settings).toEqual({ endpoint: DEFAULT_HUB_ENDPOINT, token: undefined, cacheDir: join(homedir(), '.cache', 'huggingface', 'hub'), offline: false });
  });

  it('maps HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE and HF_HUB_OFFLINE', () => {
    const settings = hubSettings({ env: { HF_ENDPOINT: 'http://127.0.0.1:9/', HF_TOKEN: ' hf_abc\n', HF_HUB_CACHE: '/c', HF_HUB_OFFLINE: 'yes' } });
    expect(settings).toEqual({ endpoint: 'http://127.0.0.1:9', token: 'hf_abc', cacheDir: '/c', offline: true });
  });

  it('lets options win over the environment', () => {
    const env = { HF_ENDPOINT: 'http://a', HF_TOKEN: 'hf_env', HF_HUB_CACHE: '/env', HF_HUB_OFFLINE: '1' };
    expect(hubSettings({ env, endpoint: 'http://b', token: 'hf_opt', cacheDir: '/opt', offline: false })).toEqual({
      endpoint: 'http://b', token: 'hf_opt', cacheDir: '/opt', offline: false,
    });
  });

  it('falls back through the legacy and derived variables', () => {
    expect(hubSettings({ env: { HUGGING_FACE_HUB_TOKEN: 'hf_legacy', HF_TOKEN_PATH: '/x' } }).token).toBe('hf_legacy');
    expect(hubSettings({ env: { HF_TOKEN: 'hf_new', HUGGING_FACE_HUB_TOKEN: 'hf_legacy' } }).token).toBe('hf_new');
    expect(hubSettings({ env: { HUGGINGFACE_HUB_CACHE: '/legacy' } }).cacheDir).toBe('/legacy');
    expect(hubSettings({ env: { HF_HUB_CACHE: '/new', HUGGINGFACE_HUB_CACHE: '/legacy' } }).cacheDir).toBe('/new');
    expect(hubSettings({ env: { HF_HOME: '/home/hf' } }).cacheDir).toBe('/home/hf/hub');
    expect(hubSettings({ env: { XDG_CACHE_HOME: '/xdg' } }).cacheDir).toBe('/xdg/huggingface/hub');
    expect(hubSettings({ env: { HF_HOME: '~/hf' } }).cacheDir).toBe(join(homedir(), 'hf', 'hub'));
    expect(hubSettings({ env: { TRANSFORMERS_OFFLINE: 'TRUE' } }).offline).toBe(true);
    expect(hubSettings({ env: { HF_HUB_OFFLINE: '0' } }).offline).toBe(false);
    expect(hubSettings({ env: { HF_TOKEN: '  ' , HF_TOKEN_PATH: '/x' } }).token).toBeUndefined();
  });

  it('reads the token file huggingface-cli login writes ($HF_HOME/token, or HF_TOKEN_PATH)', async () => {
    const home = await tempDir();
    await mkdir(home, { recursive: true });
    await writeFile(join(home, 'token'), 'hf_fromfile\n');
    expect(hubSettings({ env: { HF_HOME: home } }).token).toBe('hf_fromfile');
    await writeFile(join(home, 'other'), 'hf_other');
    expect(hubSettings({ env: { HF_HOME: home, HF_TOKEN_PATH: join(home, 'other') } }).token).toBe('hf_other');
    expect(hubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_env' } }).token).toBe('hf_env');
  });
});
