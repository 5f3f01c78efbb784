import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, Trainer } from '@sdxl-trainer/core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';

/** What a case folder expects: a resolved config (a subset) or an error. */
interface Expected {
  readonly resolved?: Record<string, unknown>;
  readonly pluginNames?: string[];
  /** Log lines the plugins write while the trainer prepares (environment + configResolved). */
  readonly prepareLogs?: string[];
  readonly error?: { code: string; problems?: string[]; messageIncludes: string[] };
}

const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));

describe('config cases', () => {
  for (const name of readdirSync(casesDir)) {
    const dir = join(casesDir, name);
    const file = readdirSync(dir).find((f) => f.startsWith('sdxl.config.'));
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    it(name, async () => {
      if (!file) throw new Error(`case ${name} has no sdxl.config.* file`);
      const path = join(dir, file);
      if (expected.error) {
        const error = await loadConfig(path).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (!isSdxlError(error)) throw new Error(`expected ${name} to fail with an SdxlError, got ${String(error)}`);
        expect(error.code).toBe(expected.error.code);
        for (const text of expected.error.messageIncludes) expect(error.message).toContain(text);
        if (expected.error.problems) {
          const problems = (error.details?.['problems'] as Array<{ path: string }>).map((p) => p.path).sort();
          expect(problems).toEqual([...expected.error.problems].sort());
        }
        return;
      }
      const config = await loadConfig(path);
      expect(config).toMatchObject(expected.resolved ?? {});
      expect(config.plugins.map((p) => p.name)).toEqual(expected.pluginNames ?? []);
      if (expected.prepareLogs) {
        const trainer = new Trainer(config);
        const logs: string[] = [];
        trainer.events$.subscribe((e) => e.type === 'log' && logs.push(e.message));
        trainer.prepare();
        expect(logs).toEqual(expected.prepareLogs);
      }
    });
  }
});
