import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { isRepoId, type HubSettings } from '@sdxl-trainer/hub';
import { basename, resolve } from 'node:path';
import { whoami } from './whoami.js';

/**
 * The repo id the run pushes to, without any request: `hubModelId` as given, else the output folder's name
 * (the script's `args.hub_model_id or Path(args.output_dir).name`). Throws HUB_INVALID_REPO_ID naming the option.
 */
export function requestedRepoId(hubModelId: string | undefined, outputDir: string): string {
  const value = hubModelId ?? basename(resolve(outputDir));
  if (!isRepoId(value)) {
    const source = hubModelId === undefined ? `the output folder's name "${value}" (outputDir ${outputDir})` : `hubModelId (--hub_model_id) "${value}"`;
    throw new SdxlError(
      ErrorCode.HUB_INVALID_REPO_ID,
      `${source} is not a valid Hub repo id: expected "namespace/name" or "name" (letters, digits, "-", "_", "."; no "--" or ".."; ` +
        `at most 96 characters). Set hubModelId (--hub_model_id).`,
      { details: { value } },
    );
  }
  return value;
}

/** A full `namespace/name` id: a bare name is put under the token's user, as `create_repo` does on the Hub. */
export async function resolveRepoId(repoId: string, settings: HubSettings, fetchImpl?: typeof fetch): Promise<string> {
  return repoId.includes('/') ? repoId : `${await whoami(settings, fetchImpl)}/${repoId}`;
}
