export { default, NAME } from './validation.js';
export { validationOptionsSchema, parseValidationOptions, imageSize, type ResolvedValidationOptions, type ValidationOptions } from './validationOptions.js';
export { loadFrozenComponents, disposeFrozenComponents, frozenParameterBytes, FROZEN_COMPONENTS, type FrozenComponentName, type FrozenComponents, type LoadFrozenOptions } from './loadFrozenComponents.js';
export { locateSources, requireSources, type LocatedSource, type LocateOptions } from './locateSources.js';
export { renderImages, type RenderSettings, type RenderedImages } from './renderImages.js';
export { publishImages, validationImages, type PublishTarget } from './publishImages.js';
