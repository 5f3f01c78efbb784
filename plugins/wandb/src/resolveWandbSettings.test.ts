import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNetrc } from './readNetrcApiKey.js';
import { DEFAULT_BASE_URL, resolveWandbSettings } from './resolveWandbSettings.js';
import { removeTempDirs, tempDir } from './testing/toyWandbRun.js';
import { wandbOptionsSchema, type WandbOptions } from './wandbOptions.js';

afterEach(removeTempDirs);

const resolveWith = (options: WandbOptions, env: Record<string, string>, outputDir = '/runs/out') =>
  // why: HOME points at an empty folder so the machine's own ~/.netrc never leaks into a test.
  resolveWandbSettings(wandbOptionsSchema.parse(options), { HOME: tempDir(), ...env }, outputDir);

describe('resolveWandbSettings', () => {
  it('defaults: online to api.wandb.ai, the script\'s project, wandb/ under outputDir, a fresh 8-character id', () => {
    const settings = resolveWith({}, { WANDB_API_KEY: 'k' });
    expect(settings).toMatchObject({
      mode: 'online',
      project: 'text2image-fine-tune-sdxl',
      entity: undefined,
      baseUrl: DEFAULT_BASE_URL,
      apiKey: 'k',
      wandbDir: path.resolve('/runs/out', 'wandb'),
      runIdGiven: false,
      resume: undefined,
      tags: [],
      note: undefined,
    });
    expect(settings.runId).toMatch(/^[a-z0-9]{8}$/);
    expect(resolveWith({}, { WANDB_API_KEY: 'k' }).runId).not.toBe(settings.runId);
  });

  it('maps every WANDB_* variable, and options override them', () => {
    const env = {
      WANDB_API_KEY: 'env-key',
      WANDB_BASE_URL: 'http://127.0.0.1:9000/',
      WANDB_PROJECT: 'p-env',
      WANDB_ENTITY: 'team-env',
      WANDB_NAME: 'name-env',
      WANDB_RUN_ID: 'id-env',
      WANDB_RESUME: 'auto',
      WANDB_MODE: 'offline',
      WANDB_DIR: '/data/w',
      WANDB_TAGS: 'a, b,,c',
      WANDB_NOTES: 'notes-env',
      WANDB_RUN_GROUP: 'g-env',
    };
    expect(resolveWith({}, env)).toMatchObject({
      apiKey: 'env-key',
      baseUrl: 'http://127.0.0.1:9000',
      project: 'p-env',
      entity: 'team-env',
      displayName: 'name-env',
      runId: 'id-env',
      runIdGiven: true,
      resume: 'allow',
      mode: 'offline',
      wandbDir: path.resolve('/data/w', 'wandb'),
      tags: ['a', 'b', 'c'],
      notes: 'notes-env',
      group: 'g-env',
    });
    const options: WandbOptions = { apiKey: 'opt-key', baseUrl: 'http://localhost:1', project: 'p', entity: 'e', name: 'n', id: 'i', resume: 'never', mode: 'online', dir: '/x', tags: ['t'], notes: 'o', group: 'g' };
    expect(resolveWith(options, env)).toMatchObject({
      apiKey: 'opt-key', baseUrl: 'http://localhost:1', project: 'p', entity: 'e', displayName: 'n', runId: 'i', resume: 'never', mode: 'online', wandbDir: path.resolve('/x', 'wandb'), tags: ['t'], notes: 'o', group: 'g',
    });
  });

  it('reads WANDB_MODE=dryrun as offline and WANDB_DISABLED=true as disabled (an explicit mode wins)', () => {
    expect(resolveWith({}, { WANDB_MODE: 'dryrun' }).mode).toBe('offline');
    expect(resolveWith({}, { WANDB_MODE: 'run', WANDB_API_KEY: 'k' }).mode).toBe('online');
    expect(resolveWith({}, { WANDB_DISABLED: 'true' }).mode).toBe('disabled');
    expect(resolveWith({ mode: 'offline' }, { WANDB_DISABLED: 'true' }).mode).toBe('offline');
  });

  it('goes offline, with a note, when online has no API key', () => {
    const settings = resolveWith({}, {});
    expect(settings.mode).toBe('offline');
    expect(settings.note).toContain('no W&B API key');
    expect(settings.note).toContain('api.wandb.ai');
  });

  it('takes the API key from the netrc entry of the server host[:port] (NETRC), after WANDB_API_KEY', () => {
    const netrc = path.join(tempDir(), 'netrc');
    writeFileSync(netrc, 'machine api.wandb.ai\n  login user\n  password cloud-key\nmachine 127.0.0.1:8080 login user password "local key"\n');
    expect(resolveWith({}, { NETRC: netrc }).apiKey).toBe('cloud-key');
    expect(resolveWith({ baseUrl: 'http://127.0.0.1:8080' }, { NETRC: netrc }).apiKey).toBe('local key');
    expect(resolveWith({ baseUrl: 'http://127.0.0.1:8081' }, { NETRC: netrc }).mode).toBe('offline');
    expect(resolveWith({}, { NETRC: netrc, WANDB_API_KEY: 'env' }).apiKey).toBe('env');
    const home = tempDir();
    writeFileSync(path.join(home, '.netrc'), 'machine api.wandb.ai login u password home-key\n');
    expect(resolveWandbSettings(wandbOptionsSchema.parse({}), { HOME: home }, '/o').apiKey).toBe('home-key');
  });

  it('names every bad variable in one CONFIG_INVALID error', () => {
    const env = { WANDB_MODE: 'sometimes', WANDB_RESUME: 'maybe', WANDB_RUN_ID: 'a/b', WANDB_BASE_URL: 'nowhere' };
    expect(() => resolveWith({}, env)).toThrow(
      [
        'invalid config (4 problems):',
        '  wandb(): environment variable WANDB_MODE: got "sometimes"; expected "online", "offline" or "disabled"',
        '  wandb(): environment variable WANDB_RESUME: got "maybe"; expected "allow", "auto", "must" or "never"',
        '  wandb(): environment variable WANDB_RUN_ID: got "a/b"; expected a run id of 1 to 64 characters without / \\ # ? % : or spaces',
        '  wandb(): environment variable WANDB_BASE_URL: got "nowhere"; expected a URL such as https://api.wandb.ai',
      ].join('\n'),
    );
  });
});

describe('parseNetrc', () => {
  it('reads machine/password pairs, quoted tokens, and skips default and macdef', () => {
    const text = 'default login anon password nope\nmacdef init\ncd /tmp\nput x\n\nmachine a.example login u password p1\nmachine "b.example" password "p 2" login u\n';
    expect([...parseNetrc(text)]).toEqual([['a.example', 'p1'], ['b.example', 'p 2']]);
  });
});
