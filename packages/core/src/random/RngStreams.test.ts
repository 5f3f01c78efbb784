import { describe, expect, it } from 'vitest';
import { RngStreams } from './RngStreams.js';

describe('RngStreams', () => {
  it('saves and restores every stream drawn from', () => {
    const streams = new RngStreams(11);
    streams.get('a').random();
    streams.get('b').normal();
    const saved = JSON.parse(JSON.stringify(streams.stateDict()));
    const next = [streams.get('a').random(), streams.get('b').normal()];
    const restored = new RngStreams(11);
    restored.loadStateDict(saved);
    expect([restored.get('a').random(), restored.get('b').normal()]).toEqual(next);
  });

  it('keeps streams independent: drawing from one does not move another', () => {
    const quiet = new RngStreams(2);
    const busy = new RngStreams(2);
    for (let i = 0; i < 100; i++) busy.get('plugin').random();
    expect(busy.get('noise').normal()).toBe(quiet.get('noise').normal());
  });
});
