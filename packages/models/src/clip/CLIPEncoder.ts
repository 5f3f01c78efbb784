import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import { CLIPEncoderLayer } from './CLIPEncoderLayer.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';

/** transformers CLIPEncoder: `layers`, a ModuleList of num_hidden_layers CLIPEncoderLayer. */
export class CLIPEncoder extends Module {
  readonly layers: ModuleList<CLIPEncoderLayer>;

  constructor(config: CLIPTextConfig) {
    super();
    this.layers = this.registerModule('layers', new ModuleList(Array.from({ length: config.num_hidden_layers }, () => new CLIPEncoderLayer(config))));
  }
}
