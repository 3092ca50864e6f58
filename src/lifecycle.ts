// Typed start-up phases: each takes the parts that earlier phases made and returns its own, so a
// phase placed before the one that makes what it needs does not compile. Generic; the agent's
// phases are in phases/, and agent.ts runs them.
import type { Config } from './config/schema.js';

/** A started phase: the parts it hands on, and how to stop it (must not throw for a part that already failed). */
export interface Started<Out> {
  readonly parts: Out;
  readonly stop: () => Promise<void> | void;
}

export interface Phase<In, Out> {
  readonly name: string;
  /** Config sections whose change restarts this phase and every later one. */
  readonly sections: ReadonlyArray<keyof Config>;
  // A property rather than a method: TypeScript then checks `In` contravariantly, which is what
  // rejects a phase whose input an earlier phase has not made yet.
  readonly start: (input: In) => Promise<Started<Out>> | Started<Out>;
}

/** Any phase, as the runner holds them; the chain below has checked what each one takes. */
export type AnyPhase = Phase<never, object>;

/** A phase that hands nothing on. */
export function stopOnly(stop: () => Promise<void> | void): Started<object> {
  return { parts: {}, stop };
}

/** Everything a chain's phases make, together with its base. */
export type PartsOf<C> = C extends PhaseChain<infer Available> ? Available : never;

/** Phases in start order; `Available` is what the next phase may take. */
export class PhaseChain<Available extends object> {
  private constructor(readonly phases: readonly AnyPhase[]) {}

  static from<Base extends object>(): PhaseChain<Base> {
    return new PhaseChain<Base>([]);
  }

  then<Out extends object>(phase: Phase<Available, Out>): PhaseChain<Available & Out> {
    return new PhaseChain<Available & Out>([...this.phases, phase]);
  }
}
