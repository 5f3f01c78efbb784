import { createHash, randomBytes } from 'node:crypto';
import { gitBlobOid, lfsPointer, sha256Hex } from './gitObjects.js';
import type { CommitRecord, LocalRepoType } from './types.js';

/** A file in a commit: its content and the ids the Hub reports for it. */
export interface StoredFile {
  readonly content: Uint8Array;
  /** Git blob id of what git stores: the content, or the LFS pointer for an LFS file. */
  readonly oid: string;
  readonly lfs: { readonly sha256: string; readonly size: number; readonly pointerSize: number } | undefined;
}

/** A commit: a full snapshot of the repository's files. */
export interface StoredCommit {
  readonly sha: string;
  readonly parent: string | undefined;
  readonly title: string;
  readonly date: Date;
  readonly files: ReadonlyMap<string, StoredFile>;
}

/** A repository: branches pointing at commits. */
export interface StoredRepo {
  readonly type: LocalRepoType;
  readonly id: string;
  /** A 24-hex id, as the Hub's `_id`. */
  readonly objectId: string;
  isPrivate: boolean;
  readonly branches: Map<string, string>;
  readonly commits: Map<string, StoredCommit>;
  readonly order: string[];
}

/** What a commit changes. */
export interface CommitChanges {
  readonly add: ReadonlyMap<string, StoredFile>;
  readonly remove?: readonly string[];
  readonly removeFolders?: readonly string[];
}

const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** The in-memory state of the local Hub: repositories, commits and uploaded LFS objects. */
export class HubStore {
  readonly repos = new Map<string, StoredRepo>();
  /** LFS objects by sha256: every LFS file committed, and every object uploaded through the batch API. */
  readonly lfsObjects = new Map<string, Uint8Array>();
  private counter = 0;

  /** Builds a stored file, as git would keep it (LFS pointer or plain blob). */
  makeFile(content: Uint8Array, lfs: boolean): StoredFile {
    if (!lfs) return { content, oid: gitBlobOid(content), lfs: undefined };
    const sha256 = sha256Hex(content);
    const pointer = new TextEncoder().encode(lfsPointer(sha256, content.byteLength));
    this.lfsObjects.set(sha256, content);
    return { content, oid: gitBlobOid(pointer), lfs: { sha256, size: content.byteLength, pointerSize: pointer.byteLength } };
  }

  getRepo(type: LocalRepoType, id: string): StoredRepo | undefined {
    return this.repos.get(`${type}s/${id}`);
  }

  /** Creates an empty repository whose `main` holds the `.gitattributes` the Hub adds to a new repo. */
  createRepo(type: LocalRepoType, id: string, isPrivate: boolean): StoredRepo {
    const repo: StoredRepo = {
      type,
      id,
      objectId: randomBytes(12).toString('hex'),
      isPrivate,
      branches: new Map(),
      commits: new Map(),
      order: [],
    };
    this.repos.set(`${type}s/${id}`, repo);
    const attributes = new TextEncoder().encode('*.safetensors filter=lfs diff=lfs merge=lfs -text\n');
    this.commit(repo, 'main', { add: new Map([['.gitattributes', this.makeFile(attributes, false)]]) }, 'initial commit');
    return repo;
  }

  /** Adds a commit on `branch` (created from nothing if missing) and moves the branch to it. */
  commit(repo: StoredRepo, branch: string, changes: CommitChanges, title: string): StoredCommit {
    const parentSha = repo.branches.get(branch);
    const files = new Map(parentSha === undefined ? [] : repo.commits.get(parentSha)?.files ?? []);
    for (const path of changes.remove ?? []) files.delete(path);
    for (const folder of changes.removeFolders ?? []) {
      const prefix = folder.endsWith('/') ? folder : `${folder}/`;
      for (const path of [...files.keys()]) if (path.startsWith(prefix)) files.delete(path);
    }
    for (const [path, file] of changes.add) files.set(path, file);
    const digest = createHash('sha1').update(`${parentSha ?? ''}\n${title}\n${++this.counter}\n`);
    for (const path of [...files.keys()].sort()) digest.update(`${path}\0${files.get(path)?.oid ?? ''}\n`);
    const commit: StoredCommit = { sha: digest.digest('hex'), parent: parentSha, title, date: new Date(), files };
    repo.commits.set(commit.sha, commit);
    repo.order.push(commit.sha);
    repo.branches.set(branch, commit.sha);
    return commit;
  }

  /** A branch name, `HEAD` (= main) or a full commit sha → the commit, or undefined. */
  resolveRevision(repo: StoredRepo, revision: string): StoredCommit | undefined {
    const name = revision === 'HEAD' ? 'main' : revision;
    const sha = repo.branches.get(name) ?? (COMMIT_SHA.test(name) ? name : undefined);
    return sha === undefined ? undefined : repo.commits.get(sha);
  }

  /** The commits of a repository, oldest first, as the public API reports them. */
  history(repo: StoredRepo): CommitRecord[] {
    return repo.order.map((sha) => {
      const commit = repo.commits.get(sha) as StoredCommit;
      return { sha, parent: commit.parent, title: commit.title, paths: [...commit.files.keys()].sort() };
    });
  }
}
