import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

// why: a resolve hook for Node's module loader, run in the loader thread. tfjs-core's ES-module build
// (dist/*.js) imports its own files without extensions ('./gradients/Abs_grad'), which Node's ESM
// resolution refuses; this adds '.js' for those imports only, and touches nothing else.
const HOOK = `
const DIST = '/@tensorflow/tfjs-core/dist/';
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && context.parentURL && context.parentURL.includes(DIST) && !/\\.[cm]?js$/.test(specifier)) {
    try { return await next(specifier + '.js', context); } catch {}
    try { return await next(specifier + '/index.js', context); } catch {}
  }
  return next(specifier, context);
}`;

let loading: Promise<void> | undefined;

/**
 * Registers tfjs-core's gradient functions and chained tensor methods (`t.reshape(...)`), as
 * `@tensorflow/tfjs` does with `register_all_gradients` and `register_all_chained_ops`. Without it
 * `tf.grads`/`tf.variableGrads` fail with "gradient function not found". Idempotent; `initBackend` calls it.
 *
 * why: tfjs-core's Node entry (`dist/tf-core.node.js`) has no gradients, and this project depends on
 * tfjs-core alone (not the 141 MB umbrella). The gradients load from tfjs-core's own ES-module build;
 * it shares the engine and the gradient registry with the Node entry (both live on globalThis).
 */
export function registerGradients(): Promise<void> {
  if (hasGradients()) return Promise.resolve();
  loading ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js' as string);
    if (!hasGradients()) {
      throw new SdxlError(
        ErrorCode.BACKEND_INIT_FAILED,
        "tfjs-core's gradients did not register on this engine: is a second, different version of @tensorflow/tfjs-core installed? All @tensorflow packages must be exactly 4.22.0",
      );
    }
  })();
  return loading;
}

function hasGradients(): boolean {
  return tf.getGradient('Conv2D') !== undefined && tf.getGradient('BatchMatMul') !== undefined;
}
