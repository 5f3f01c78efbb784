import { randomInt } from 'node:crypto';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { initBackend, translateBackendError } from '@sdxl-trainer/tensor';
import type { Observable } from 'rxjs';
import { parseConfig } from './config/parseConfig.js';
import type { ResolvedConfig as ResolvedConfigType, RunConfig } from './config/schema.js';
import type { RunSummary, TrainContext, TrainerSnapshot } from './contexts.js';
import { emptyDataset } from './data/Dataset.js';
import { applyDefaults } from './defaults/applyDefaults.js';
import { rootContainer, type DependencyContainer } from './di.js';
import { EventBus, EventBusToken, type RunStatus, type TrainerEvent, type TrainerEventMap } from './events.js';
import { guardHooks, pluginError } from './guardHooks.js';
import { createTrainerHooks, type TrainerHooks, type TrainerHookSet } from './hooks.js';
import { EventLogger, Logger } from './Logger.js';
import { TrainingLoop } from './loop/TrainingLoop.js';
import { ModelSet } from './ModelSet.js';
import type { ModelSources } from './ModelSources.js';
import { isStateful, type TrainerPlugin } from './plugin.js';
import { RngStreams } from './random/RngStreams.js';
import { prepareRun, type PreparedRun } from './prepareRun.js';
import { restoreSnapshot, takeSnapshot } from './snapshot.js';
import { ResolvedConfig } from './tokens.js';
import { TrainerControl } from './TrainerControl.js';
import { TrainerState } from './TrainerState.js';

/** Options of a trainer beyond its config. */
export interface TrainerOptions {
  /** The container the run's child container is made from (default: tsyringe's root container). */
  readonly parentContainer?: DependencyContainer;
}

/**
 * The core trainer: applies plugins, then runs train_text_to_image_sdxl.py's lifecycle, calling its
 * hooks at each point. Everything SDXL-specific (models, data, text encoding) comes from plugins.
 */
export class Trainer {
  /** The validated, frozen run config. */
  readonly config: ResolvedConfigType;
  /** The lifecycle hooks, for plugins to tap. */
  readonly hooks: TrainerHooks;
  /** This run's DI container (a child container, disposed when the run ends). */
  readonly container: DependencyContainer;
  /** Where the run is; serialisable. */
  readonly state = new TrainerState();
  /** Flags plugins set to steer the loop. */
  readonly control = new TrainerControl();
  /** Models by name, filled in loadModels. */
  readonly models = new ModelSet();
  /** Every event of the run. Completes when the run ends. */
  readonly events$: Observable<TrainerEvent>;
  /** Every plugin applied, built-in defaults included, in application order. */
  readonly plugins: readonly TrainerPlugin[];

  readonly #hooks: TrainerHookSet;
  readonly #bus = new EventBus();
  #rng: RngStreams;
  #prepared = false;
  #phase: 'idle' | 'running' | 'done' = 'idle';
  #run: PreparedRun | undefined;
  #modelSources: ModelSources | undefined;

  constructor(config: RunConfig | ResolvedConfigType, options: TrainerOptions = {}) {
    this.config = parseConfig(config);
    this.#hooks = createTrainerHooks();
    guardHooks(this.#hooks);
    this.hooks = this.#hooks;
    this.events$ = this.#bus.events$;
    this.container = (options.parentContainer ?? rootContainer).createChildContainer();
    this.container.register(ResolvedConfig, { useValue: this.config });
    this.container.register(Trainer, { useValue: this });
    this.container.register(EventBusToken, { useValue: this.#bus });
    this.container.registerSingleton(Logger, EventLogger);
    this.state.seed = this.config.seed ?? randomInt(0, 2 ** 31);
    this.#rng = new RngStreams(this.state.seed);

    const user = this.config.plugins;
    const plugins = [...user.filter((p) => p.enforce === 'pre'), ...applyDefaults.plugins(this.config), ...user.filter((p) => p.enforce !== 'pre')];
    for (const plugin of plugins) {
      try {
        plugin.apply(this);
      } catch (error) {
        throw pluginError(error, plugin.name, 'apply');
      }
    }
    this.plugins = Object.freeze(plugins);
  }

  /** The run's Logger (from the container, so a plugin may replace it). */
  get logger(): Logger {
    return this.container.resolve(Logger);
  }

  /** Where each model component comes from, as the resolveModelFiles waterfall decided (from loadModels on). */
  get modelSources(): ModelSources {
    if (!this.#modelSources) {
      throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, 'modelSources is known once the resolveModelFiles hook has run (read it in loadModels or later)');
    }
    return this.#modelSources;
  }

  /** The run's named random streams (all derived from `state.seed`). */
  get rng(): RngStreams {
    return this.#rng;
  }

  /** Emit an event on the run's stream (plugins may emit their own declared event types). */
  emit<K extends keyof TrainerEventMap>(type: K, payload: TrainerEventMap[K]): void {
    this.#bus.emit(type, payload);
  }

  /** Ask the run to stop after the current optimizer step. */
  requestStop(reason: string): void {
    if (this.control.shouldStop) return;
    this.control.requestStop(reason);
    this.#bus.emit('run:stopping', { step: this.state.globalStep, reason });
    this.logger.info(`stopping after step ${this.state.globalStep + 1}: ${reason}`);
  }

  /** Call environment and configResolved (run() does this if you have not). Idempotent. */
  prepare(): void {
    if (this.#prepared) return;
    this.#prepared = true;
    this.#hooks.environment.call(this.config);
    this.#hooks.configResolved.call(this.config);
  }

  /** Everything a checkpoint needs to resume exactly. Only valid while the run is training. */
  snapshot(): TrainerSnapshot {
    const run = this.#requireRun('snapshot');
    return takeSnapshot({ state: this.state, rng: this.#rng, run, plugins: this.plugins });
  }

  /** Continue from a snapshot (call it in beforeTrain). Model, optimizer, LR schedule, random streams, position and plugin state are restored. */
  async restore(snapshot: TrainerSnapshot): Promise<void> {
    const run = this.#requireRun('restore');
    if (snapshot.state.seed !== this.state.seed) this.#rng = new RngStreams(snapshot.state.seed);
    restoreSnapshot(snapshot, { state: this.state, rng: this.#rng, run, plugins: this.plugins.filter(isStateful) });
    await this.#hooks.loadState.promise(snapshot);
    this.logger.info(`resumed at step ${this.state.globalStep} (epoch ${this.state.epoch}, batch ${this.state.batchInEpoch})`);
  }

  /** Run the whole lifecycle. Resolves with a summary; rejects with an SdxlError naming the failing plugin and hook. */
  async run(): Promise<RunSummary> {
    if (this.#phase !== 'idle') throw new SdxlError(ErrorCode.TRAINER_ALREADY_RUNNING, 'a Trainer runs once; create a new Trainer for another run');
    this.#phase = 'running';
    const started = performance.now();
    let summary: RunSummary | undefined;
    let lastLoss: number | undefined;
    try {
      this.prepare();
      const backend = await initBackend({ backend: this.config.backend, threads: this.config.threads });
      this.logger.info(backend.summary);
      this.#modelSources = Object.freeze({ ...(await this.#hooks.resolveModelFiles.promise({})) });
      await this.#hooks.loadModels.promise(this.models);
      let dataset = await this.#hooks.prepareDataset.promise(emptyDataset);
      dataset = await this.#hooks.precompute.promise(dataset);
      this.#run = prepareRun({ trainer: this, hooks: this.#hooks, dataset, state: this.state });
      const context: TrainContext = { state: this.state, control: this.control };
      this.#bus.emit('run:start', { backend: backend.backend, maxSteps: this.state.maxSteps, epochs: this.state.epochs, stepsPerEpoch: this.state.stepsPerEpoch, seed: this.state.seed });
      this.logger.info(`training ${this.state.maxSteps} steps over ${this.state.epochs} epochs (${this.state.batchesPerEpoch} batches of ${this.config.trainBatchSize} per epoch, seed ${this.state.seed})`);
      await this.#hooks.beforeTrain.promise(context);
      const run = this.#run;
      let loader = { seed: this.state.seed, instance: run.loader(this.state.seed) };
      const loop = new TrainingLoop({
        ...run.loopParts,
        rng: () => this.#rng,
        // why: a restored checkpoint may bring its own seed, and the data order derives from it.
        loader: () => (loader.seed === this.state.seed ? loader : (loader = { seed: this.state.seed, instance: run.loader(this.state.seed) })).instance,
        snapshot: () => this.snapshot(),
      });
      ({ lastLoss } = await loop.run());
      const status: RunStatus = this.control.shouldStop && this.state.globalStep < this.state.maxSteps ? 'stopped' : 'completed';
      await this.#hooks.saveModel.promise({ outputDir: this.config.outputDir, state: this.state });
      summary = this.#summary(status, started, lastLoss);
      await this.#hooks.afterTrain.promise(summary);
      this.#bus.emit('run:end', { status, step: this.state.globalStep });
      return summary;
    } catch (thrown) {
      const error = toSdxlError(thrown);
      summary = this.#summary('failed', started, lastLoss, error);
      try {
        await this.#hooks.failed.promise(error);
      } catch (inner) {
        this.logger.error(`a failed-hook tap failed too: ${inner instanceof Error ? inner.message : String(inner)}`);
      }
      this.#bus.emit('run:end', { status: 'failed', step: this.state.globalStep, error });
      throw error;
    } finally {
      await this.#shutdown(summary ?? this.#summary('failed', started, lastLoss));
    }
  }

  #summary(status: RunStatus, started: number, lastLoss: number | undefined, error?: SdxlError): RunSummary {
    return {
      status,
      globalStep: this.state.globalStep,
      epoch: this.state.epoch,
      seed: this.state.seed,
      lastLoss,
      durationSeconds: (performance.now() - started) / 1000,
      stopReason: this.control.stopReason,
      error,
    };
  }

  async #shutdown(summary: RunSummary): Promise<void> {
    try {
      await this.#hooks.shutdown.promise(summary);
    } catch (error) {
      this.logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.#run?.loopParts.optimizer.dispose();
      this.#phase = 'done';
      this.#bus.complete();
      await this.container.dispose();
    }
  }

  #requireRun(what: string): PreparedRun {
    if (!this.#run || this.#phase !== 'running') {
      throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `${what}() is only possible while the run is training (from beforeTrain on)`);
    }
    return this.#run;
  }
}

function toSdxlError(thrown: unknown): SdxlError {
  const translated = translateBackendError(thrown);
  if (isSdxlError(translated)) return translated;
  const message = translated instanceof Error ? translated.message : String(translated);
  return new SdxlError(ErrorCode.PLUGIN_HOOK_FAILED, message, { cause: translated });
}
