/** Where libtensorflow runs: the CPU, or an NVIDIA GPU through CUDA. */
export type TensorflowDevice = 'cpu' | 'gpu';

/** What `linkTensorflow` built from. */
export type TensorflowSourceKind = 'python-env' | 'libtensorflow' | 'wheel' | 'download';

/** The npm package each device uses; both register the tfjs backend `tensorflow`. */
export const TFJS_NODE_PACKAGES = { cpu: '@tensorflow/tfjs-node', gpu: '@tensorflow/tfjs-node-gpu' } as const;

/** The tfjs-node release whose binding sources we build (it must equal tfjs-core's version). */
export const TFJS_NODE_VERSION = '4.22.0';

/** What a build folder's `build.json` records. */
export interface LinkedBuildManifest {
  readonly packageName: (typeof TFJS_NODE_PACKAGES)[TensorflowDevice];
  readonly packageVersion: string;
  /** The version libtensorflow reports (`TF_Version()`), e.g. `2.21.0`. */
  readonly tensorflowVersion: string;
  readonly device: TensorflowDevice;
  /** libtensorflow was built with CUDA (it can use a GPU). */
  readonly cudaBuild: boolean;
  /** `process.versions.modules` of the Node that built it. */
  readonly nodeAbi: string;
  /** The N-API version the binding was compiled for (its folder `lib/napi-v<N>`). */
  readonly napiVersion: number;
  readonly source: { readonly kind: TensorflowSourceKind; readonly path: string };
  /** Folder of the libtensorflow shared libraries the binding loads; relative to the build folder when inside it. */
  readonly libDir: string;
  /** The shared libraries that must exist in `libDir` at run time. */
  readonly libFiles: readonly string[];
  readonly builtAt: string;
  readonly buildSeconds: number;
}

/** A linked tfjs-node build in the cache: its manifest plus where it lies. */
export interface LinkedBuild extends LinkedBuildManifest {
  /** The build folder; `import(packageName)` resolves from here. */
  readonly dir: string;
  /** The tfjs-node package folder inside it. */
  readonly packageDir: string;
  /** The compiled binding. */
  readonly binding: string;
  /** `libDir` made absolute. */
  readonly libPath: string;
}
