// The buffer's schema, as numbered forward-only migrations: entry i brings user_version from i to i+1.
// Never edit a released entry; append a new one.

export const MIGRATIONS: readonly string[] = [
  /* 1: readings, faults, dead letters, counters, models, outbox */ `
  CREATE TABLE assets (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    line  TEXT
  );
  -- One row per asset and sensor; first_ts/last_ts keep status cheap without scanning readings.
  CREATE TABLE series (
    id        INTEGER PRIMARY KEY,
    asset_id  INTEGER NOT NULL REFERENCES assets(id),
    sensor    TEXT NOT NULL,
    first_ts  INTEGER,
    last_ts   INTEGER,
    UNIQUE (asset_id, sensor)
  );
  CREATE INDEX series_first_ts ON series (first_ts);
  -- The key makes a redelivered reading (same asset, sensor, timestamp) a no-op.
  CREATE TABLE readings (
    series_id INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (series_id, ts)
  ) WITHOUT ROWID;
  CREATE TABLE faults (
    asset_id  INTEGER NOT NULL REFERENCES assets(id),
    ts        INTEGER NOT NULL,
    fields    TEXT,
    PRIMARY KEY (asset_id, ts)
  ) WITHOUT ROWID;
  CREATE TABLE dead_letters (
    id            INTEGER PRIMARY KEY,
    received_at   INTEGER NOT NULL,
    topic         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    detail        TEXT,
    payload       BLOB,
    payload_bytes INTEGER NOT NULL
  );
  CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE models (
    version     INTEGER PRIMARY KEY,
    trained_at  INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('champion', 'retired', 'rejected')),
    data_hash   TEXT NOT NULL,
    card        TEXT NOT NULL,
    params      TEXT NOT NULL
  );
  CREATE UNIQUE INDEX models_one_champion ON models (status) WHERE status = 'champion';
  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  INTEGER NOT NULL,
    topic       TEXT NOT NULL,
    payload     BLOB NOT NULL,
    qos         INTEGER NOT NULL,
    retain      INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL
  );
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  /* 2: the status page's prediction history and the live track record of warnings (issue 16) */ `
  -- A sample of each asset's predictions (at most one a minute of event time, and every change of
  -- level), pruned with the readings (retention.ts).
  CREATE TABLE prediction_history (
    asset_id        INTEGER NOT NULL REFERENCES assets(id),
    ts              INTEGER NOT NULL,
    risk            REAL NOT NULL,
    time_to_fault_s REAL NOT NULL,
    level           INTEGER NOT NULL,
    model_version   TEXT NOT NULL,
    PRIMARY KEY (asset_id, ts)
  ) WITHOUT ROWID;
  CREATE INDEX prediction_history_ts ON prediction_history (ts);
  -- One row per fault (lead times of the first warning and alarm before it, null when missed) and
  -- per false alarm (an alarm whose horizon passed with no fault), by the model that predicted it.
  CREATE TABLE track_record (
    id              INTEGER PRIMARY KEY,
    asset_id        INTEGER NOT NULL REFERENCES assets(id),
    model_version   TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('fault', 'false_alarm')),
    ts              INTEGER NOT NULL,
    horizon_s       REAL NOT NULL,
    warning_lead_s  REAL,
    alarm_lead_s    REAL,
    predictions     INTEGER NOT NULL DEFAULT 0,
    mae_s           REAL,
    rmse_s          REAL,
    bias_s          REAL,
    coverage_s      REAL,
    UNIQUE (asset_id, kind, ts)
  );
  CREATE INDEX track_record_ts ON track_record (ts);
  `,
  /* 3: statistics of each episode per feature recipe, so a retrain computes only what is new (issue 15) */ `
  CREATE TABLE recipes (
    hash      TEXT PRIMARY KEY,
    -- The model config the recipe was made from; a change makes a new recipe.
    config    TEXT NOT NULL,
    recipe    TEXT NOT NULL,
    made_at   INTEGER NOT NULL,
    -- What this gateway's data said when it was made (fleet/types.ts RecipeBasis, JSON): it is taken
    -- again once there are four times as many labelled samples.
    basis     TEXT NOT NULL
  );
  CREATE TABLE episode_stats (
    recipe      TEXT NOT NULL,
    asset       TEXT NOT NULL,
    -- The fault time of a closed episode, or 'open' for the tail after an asset's last fault.
    key         TEXT NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    fault_ts    INTEGER,
    rows        INTEGER NOT NULL,
    incomplete  INTEGER NOT NULL,
    gram        BLOB,
    sample      BLOB NOT NULL,
    -- An open tail's stream state, to continue from; NULL once final.
    resume      TEXT,
    PRIMARY KEY (recipe, asset, key)
  );
  CREATE INDEX episode_stats_end ON episode_stats (recipe, end);
  `,
  /* 4: the latest statistics of each member of the fleet, as received (issue 15) */ `
  -- One row per member: its latest retained message, kept as the gzip bytes that arrived and
  -- decoded (and checked again) when a retrain reads it. A cleared retained message deletes it.
  CREATE TABLE fleet_members (
    fleet        TEXT NOT NULL,
    agent        TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    -- The member's own clock, as it sent it.
    sent_at      INTEGER NOT NULL,
    -- The hash of the recipe its episodes are summed under; NULL before it has one.
    recipe       TEXT,
    episodes     INTEGER NOT NULL,
    payload      BLOB NOT NULL,
    PRIMARY KEY (fleet, agent)
  ) WITHOUT ROWID;
  `,
];
