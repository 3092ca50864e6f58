// The rescaling a recipe asks for before features: each reading as z within the regime its held
// condition values select (regimes.ts, regime-scaling.ts); none for earlier releases' models. Pure.
import type { Normalizer } from './feature-stream.js';
import type { Recipe } from './recipe.js';
import { scaleReading } from './regime-scaling.js';
import { regimeOf } from './regimes.js';

export function normalizerOf(recipe: Recipe): Normalizer | null {
  const model = recipe.regimes;
  if (model === null) return null;
  const regimes = model.regimes;
  // The scaling covers every sensor the recipe was made from; the recipe uses those that vary.
  const column = recipe.sensors.map((name) => model.scaling.sensors.indexOf(name));
  return {
    regimeOf: regimes === null ? () => 0 : (conditions) => regimeOf(regimes, conditions) ?? -1,
    z: (regime, sensor, value) => scaleReading(model.scaling, regime, column[sensor] as number, value),
  };
}
