// The lifecycle owner and the only module that knows every part: builds them from the config,
// starts them in phases, stops them in reverse order, and applies a reloaded config.
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { Ingest } from './ingest/pipeline.js';
import type { Logger } from './log.js';
import { Connection } from './mqtt/connection.js';
import { openDatabase, type Db } from './store/db.js';
import { BatchWriter } from './store/ingest-batch.js';
import { startRetention } from './store/retention-loop.js';

/** A started part of the agent. `stop` must not throw for a part that already failed. */
export interface Part {
  stop(): Promise<void> | void;
}

/** The shared state the phases build on, filled in as they start. */
export interface Runtime {
  config: Config;
  log: Logger;
  db?: Db;
  ingest?: Ingest;
  connection?: Connection;
}

interface Phase {
  name: string;
  /** Config sections whose change restarts this phase (and every later one). */
  sections: ReadonlyArray<keyof Config>;
  start(runtime: Runtime): Promise<Part> | Part;
}

const PHASES: readonly Phase[] = [
  {
    name: 'store',
    sections: ['storage'],
    start: (rt) => {
      const db = openDatabase(rt.config.storage.path, { sync: rt.config.storage.sync });
      rt.db = db;
      rt.log.info({ path: rt.config.storage.path, sync: rt.config.storage.sync }, 'buffer open');
      return {
        stop: () => {
          db.close();
          delete rt.db;
        },
      };
    },
  },
  {
    name: 'retention',
    sections: ['storage'],
    start: (rt) => startRetention(rt.db!, rt.config.storage, rt.log.child({ module: 'retention' })),
  },
  {
    name: 'ingest',
    sections: ['storage', 'telemetry', 'faults', 'ingest'],
    start: (rt) => {
      const ingest = new Ingest({
        config: rt.config,
        log: rt.log.child({ module: 'ingest' }),
        writer: new BatchWriter(rt.db!, rt.config.storage.dead_letters),
      });
      rt.ingest = ingest;
      return {
        stop: () => {
          ingest.stop();
          delete rt.ingest;
        },
      };
    },
  },
  {
    name: 'mqtt',
    sections: ['agent', 'mqtt'],
    start: (rt) => {
      const ingest = rt.ingest!;
      const connection = new Connection({
        config: rt.config,
        log: rt.log.child({ module: 'mqtt' }),
        subscriptions: ingest.subscriptions(),
        onMessage: (message) => ingest.handle(message),
        backpressure: () => ingest.backpressure(),
        beforeDisconnect: () => ingest.flush(),
      });
      connection.start();
      rt.connection = connection;
      return {
        stop: async () => {
          await connection.stop();
          delete rt.connection;
        },
      };
    },
  },
];

export class Agent {
  private readonly runtime: Runtime;
  private readonly started: Array<{ phase: Phase; part: Part }> = [];
  private file: string;

  constructor(loaded: LoadedConfig, private readonly log: Logger) {
    this.runtime = { config: loaded.config, log };
    this.file = loaded.file;
  }

  get config(): Config {
    return this.runtime.config;
  }

  /** The parts, for the HTTP endpoints and tests; absent while stopped. */
  get parts(): Readonly<Runtime> {
    return this.runtime;
  }

  async start(): Promise<void> {
    await this.startFrom(0);
    this.log.info({ config: this.file, phases: this.started.map((s) => s.phase.name) }, 'agent started');
  }

  async stop(): Promise<void> {
    await this.stopDownTo(0);
    this.log.info('agent stopped');
  }

  /**
   * Applies a new, already validated config: restarts the first phase whose sections changed and
   * everything after it. If the new config fails to start, the old one is started again.
   */
  async reload(next: LoadedConfig): Promise<void> {
    const previous = this.runtime.config;
    const changed = changedSections(previous, next.config);
    this.log.level = next.config.log.level;
    const from = this.started.findIndex(({ phase }) => phase.sections.some((s) => changed.has(s)));
    this.file = next.file;
    if (from < 0) {
      this.runtime.config = next.config;
      this.log.info({ changed: [...changed] }, 'config reloaded; no part needed a restart');
      return;
    }
    await this.stopDownTo(from);
    this.runtime.config = next.config;
    try {
      await this.startFrom(from);
      this.log.info({ changed: [...changed], restarted: PHASES.slice(from).map((p) => p.name) }, 'config reloaded');
    } catch (error) {
      this.log.error({ err: error }, 'new config failed to start; going back to the previous config');
      await this.stopDownTo(from);
      this.runtime.config = previous;
      await this.startFrom(from);
      throw error;
    }
  }

  private async startFrom(index: number): Promise<void> {
    for (const phase of PHASES.slice(index)) {
      const part = await phase.start(this.runtime);
      this.started.push({ phase, part });
    }
  }

  private async stopDownTo(index: number): Promise<void> {
    while (this.started.length > index) {
      const { phase, part } = this.started.pop()!;
      try {
        await part.stop();
      } catch (error) {
        this.log.error({ err: error, phase: phase.name }, 'part failed to stop cleanly');
      }
    }
  }
}

function changedSections(a: Config, b: Config): Set<keyof Config> {
  const keys = Object.keys(a) as Array<keyof Config>;
  return new Set(keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])));
}
