import type { RunPath } from './WandbClient.js';

/** The page of a run: wandb.ai for the public API, else the server itself (W&B server serves API and app together). */
export function runUrl(baseUrl: string, path: RunPath): string {
  const api = new URL(baseUrl);
  const app = api.hostname === 'api.wandb.ai' ? 'https://wandb.ai' : api.origin;
  return `${app}/${[path.entity, path.project, 'runs', path.run].map(encodeURIComponent).join('/')}`;
}
