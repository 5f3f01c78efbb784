/** The repository kinds sdxl-trainer resolves: models (pipelines, VAEs) and datasets. */
export type RepoType = 'model' | 'dataset';
