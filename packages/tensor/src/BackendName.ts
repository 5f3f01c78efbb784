/** A compute backend `initBackend` can choose; `auto` takes the first that works in this order. */
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** A concrete backend (what `auto` resolves to). */
export type ConcreteBackendName = Exclude<BackendName, 'auto'>;

/** The order `auto` tries. */
export const AUTO_ORDER: readonly ConcreteBackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The optional peer package behind each libtensorflow backend; both register tfjs backend `tensorflow`. */
export const OPTIONAL_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

/** True for a name {@link BackendName} allows. */
export function isBackendName(value: unknown): value is BackendName {
  return value === 'auto' || (typeof value === 'string' && (AUTO_ORDER as readonly string[]).includes(value));
}
