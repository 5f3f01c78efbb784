// why: the patterns of the `.gitattributes` the Hub writes into new model and dataset repos (binary formats and
// images go through LFS), plus the Hub's rule that any file of 10 MiB or more is LFS.
const LFS_EXTENSIONS = new Set([
  '7z', 'arrow', 'bin', 'bz2', 'ckpt', 'ftz', 'gz', 'h5', 'joblib', 'mlmodel', 'model', 'msgpack', 'npy', 'npz',
  'onnx', 'onnx_data', 'ot', 'parquet', 'pb', 'pickle', 'pkl', 'pt', 'pth', 'rar', 'safetensors', 'tar', 'tflite',
  'tgz', 'wasm', 'xz', 'zip', 'zst', 'png', 'jpg', 'jpeg', 'webp', 'gif', 'mp3', 'wav', 'flac', 'mp4',
]);
const LFS_SIZE = 10 * 1024 * 1024;

/** Whether the local Hub stores a file as an LFS object unless told otherwise. */
export function isLfsByDefault(path: string, size: number): boolean {
  const dot = path.lastIndexOf('.');
  const extension = dot >= 0 ? path.slice(dot + 1).toLowerCase() : '';
  return LFS_EXTENSIONS.has(extension) || size >= LFS_SIZE;
}
