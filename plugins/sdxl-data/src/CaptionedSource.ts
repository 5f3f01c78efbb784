import type { CaptionCell, ImageSource, SampleOrigin, SourceRecord } from '@sdxl-trainer/data';

/**
 * A source whose captions went through a transform once per row (the SDXL caption hook: --proportion_empty_prompts
 * as the script does it). The transform runs for every row up front, so its decisions are fixed for the run and it
 * is never called twice for a row; images pass through untouched.
 */
export class CaptionedSource implements ImageSource {
  readonly #captions: readonly CaptionCell[];

  constructor(
    private readonly source: ImageSource,
    transform: (cell: CaptionCell, row: number, origin: SampleOrigin) => CaptionCell,
  ) {
    this.#captions = Array.from({ length: source.size }, (_, row) => transform(source.caption(row), row, source.origin(row)));
  }

  get description(): string {
    return this.source.description;
  }
  get size(): number {
    return this.source.size;
  }
  get columns(): readonly string[] {
    return this.source.columns;
  }
  get skipped() {
    return this.source.skipped;
  }
  origin(index: number): SampleOrigin {
    return this.source.origin(index);
  }
  caption(index: number): CaptionCell {
    if (index < 0 || index >= this.#captions.length) throw new RangeError(`row ${index} is outside 0..${this.#captions.length - 1} of ${this.description}`);
    return this.#captions[index]!;
  }
  async read(index: number): Promise<SourceRecord> {
    return { ...(await this.source.read(index)), caption: this.caption(index) };
  }
}
