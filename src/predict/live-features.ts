// Each asset's feature stream for the serving model's recipe, fed by durable batches: what a live
// prediction is computed from. Pure: data in, data out.
import { FeatureStream, type Normalizer } from '../learn/feature-stream.js';
import type { Recipe } from '../learn/recipe.js';

export interface LiveAsset {
  readonly line: string | null;
  readonly stream: FeatureStream;
}

export class LiveFeatures {
  private readonly assets = new Map<string, { line: string | null; stream: FeatureStream }>();

  /** `recipeHash` says which models can share these streams (learn/recipe.ts). */
  constructor(
    readonly recipeHash: string,
    private readonly recipe: Recipe,
    private readonly normalizer: Normalizer | null,
  ) {}

  /** The readings of one timestamp of an asset. */
  push(asset: string, line: string | null, ts: number, readings: Iterable<readonly [string, number]>): void {
    this.of(asset, line).stream.push(ts, readings);
  }

  /** A fault at `ts` closes the asset's episode. */
  fault(asset: string, line: string | null, ts: number): void {
    this.of(asset, line).stream.fault(ts);
  }

  get(asset: string): LiveAsset | null {
    return this.assets.get(asset) ?? null;
  }

  has(asset: string): boolean {
    return this.assets.has(asset);
  }

  list(): string[] {
    return [...this.assets.keys()];
  }

  private of(asset: string, line: string | null): { line: string | null; stream: FeatureStream } {
    let entry = this.assets.get(asset);
    if (!entry) this.assets.set(asset, (entry = { line, stream: new FeatureStream(this.recipe, this.normalizer) }));
    if (line !== null) entry.line = line;
    return entry;
  }
}
