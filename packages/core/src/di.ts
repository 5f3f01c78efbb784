// why: tsyringe throws at import time unless a Reflect metadata polyfill is loaded first. Every core
// module imports the DI helpers from here, so the polyfill is always evaluated before tsyringe.
import 'reflect-metadata';

export {
  container as rootContainer,
  inject,
  injectable,
  Lifecycle,
  type DependencyContainer,
  type InjectionToken,
} from 'tsyringe';
