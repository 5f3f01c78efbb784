// The GraphQL documents of the W&B API a run needs. Field and argument names follow the wandb SDK's documents
// (wandb/wandb core/api/graphql: query_viewer.graphql, mutation_run.graphql, query_run_resume_status.graphql,
// mutation_create_run_files.graphql); only the fields this client reads are selected.

/** The logged-in user and their default entity. */
export const VIEWER_QUERY = `query Viewer {
  viewer {
    id
    entity
    username
  }
}`;

/** Creates or updates a run ("bucket"); note that the project goes in as `modelName`. */
export const UPSERT_BUCKET_MUTATION = `mutation UpsertBucket(
  $name: String,
  $project: String,
  $entity: String,
  $groupName: String,
  $displayName: String,
  $notes: String,
  $config: JSONString,
  $jobType: String,
  $tags: [String!],
) {
  upsertBucket(input: {
    name: $name,
    groupName: $groupName,
    modelName: $project,
    entityName: $entity,
    displayName: $displayName,
    notes: $notes,
    config: $config,
    jobType: $jobType,
    tags: $tags,
  }) {
    bucket {
      id
      name
      displayName
      project {
        id
        name
        entity {
          id
          name
        }
      }
      historyLineCount
    }
    inserted
  }
}`;

/** Whether a run exists, and how many history lines it holds (where a resumed run appends). */
export const RUN_RESUME_STATUS_QUERY = `query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) {
    id
    name
    entity {
      id
      name
    }
    bucket(name: $name, missingOk: true) {
      id
      name
      historyLineCount
    }
  }
}`;

/** Upload URLs for files of a run (media), to PUT to with the returned headers. */
export const CREATE_RUN_FILES_MUTATION = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
    runID
    uploadHeaders
    files {
      name
      uploadUrl
    }
  }
}`;
