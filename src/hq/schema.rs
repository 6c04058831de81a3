//! The head office's schema `hq`, as numbered migrations like the journal's:
//! `hq.schema_version` holds the number of the last one applied; a schema written by a
//! newer caisse is refused. Each migration runs in its own transaction under an advisory
//! lock, so two `caisse hq migrate` at once apply each one once.

use tokio_postgres::Client;

use super::connect::{HqError, Target};

/// Each entry brings the schema from version `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: the shops, one table per kind of journal row, and who may see what. A row is
    // keyed by (shop_id, its key in the shop's journal) and carries the outbox `seq` of
    // the snapshot it holds: a snapshot is applied only over an older one, so a replayed
    // or late batch changes nothing. `received_at` is the head office's own clock (a
    // shop's may be off by hours). Shops log in as their own role, member of
    // `caisse_shop`; row-level security (forced, even on the tables' owner) lets a role
    // see and write only the rows of the shop whose `role_name` it is.
    r#"
    DO $$ BEGIN
        CREATE ROLE caisse_shop NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL;
    END $$;

    CREATE TABLE hq.shops (
        shop_id          text PRIMARY KEY,
        role_name        text NOT NULL UNIQUE,
        last_seq         bigint NOT NULL DEFAULT 0,
        -- The shop's journal the numbers come from: another one (a reinstalled shop)
        -- is held back, its rows would overwrite these (`outbox::catch_up`).
        journal_id       text,
        last_received_at timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now()
    );

    -- The shop of the session's role. SECURITY DEFINER: it reads hq.shops as its owner,
    -- whose policy there keeps it to the session's own row all the same.
    CREATE FUNCTION hq.my_shop() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $f$ SELECT shop_id FROM hq.shops WHERE role_name = session_user $f$;
    REVOKE ALL ON FUNCTION hq.my_shop() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION hq.my_shop() TO caisse_shop;

    CREATE TABLE hq.operations (
        shop_id     text NOT NULL REFERENCES hq.shops,
        external_id text NOT NULL,
        seq         bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body        jsonb NOT NULL,
        -- What the head office's reports group and filter by, kept in step with `body`.
        service     text GENERATED ALWAYS AS (body->>'service') STORED,
        status      text GENERATED ALWAYS AS (body->>'status') STORED,
        amount      bigint GENERATED ALWAYS AS ((body->>'amount')::bigint) STORED,
        cashier     text GENERATED ALWAYS AS (body->>'cashier') STORED,
        created_at  bigint GENERATED ALWAYS AS ((body->>'created_at')::bigint) STORED,
        final_at    bigint GENERATED ALWAYS AS ((body->>'final_at')::bigint) STORED,
        PRIMARY KEY (shop_id, external_id)
    );
    CREATE INDEX operations_created ON hq.operations (created_at);

    CREATE TABLE hq.events (
        shop_id     text NOT NULL REFERENCES hq.shops,
        id          bigint NOT NULL,
        seq         bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body        jsonb NOT NULL,
        PRIMARY KEY (shop_id, id)
    );
    CREATE TABLE hq.drawers (
        shop_id     text NOT NULL REFERENCES hq.shops,
        id          bigint NOT NULL,
        seq         bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body        jsonb NOT NULL,
        PRIMARY KEY (shop_id, id)
    );
    CREATE TABLE hq.z_reports (
        shop_id     text NOT NULL REFERENCES hq.shops,
        number      bigint NOT NULL,
        seq         bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body        jsonb NOT NULL,
        PRIMARY KEY (shop_id, number)
    );
    CREATE TABLE hq.balance_readings (
        shop_id     text NOT NULL REFERENCES hq.shops,
        id          bigint NOT NULL,
        seq         bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        body        jsonb NOT NULL,
        PRIMARY KEY (shop_id, id)
    );

    -- A shop writes only through hq.push (review of issue 15, F5): with table rights it
    -- could lock a table against every other shop (LOCK TABLE needs only UPDATE), stamp
    -- its own received_at, or freeze a row for ever with an enormous seq. The function
    -- runs as its owner but keeps the session's shop (`my_shop()` reads session_user, and
    -- the policies below apply to every role): rows at or below the shop's last_seq are
    -- replays and change nothing; numbers must follow on from it.
    CREATE FUNCTION hq.push(p_shop text, p_journal text, p_last bigint, p_kinds text[],
                            p_keys text[], p_seqs bigint[], p_bodies text[])
        RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
        AS $f$
    DECLARE
        shop text := hq.my_shop();
        known bigint;
    BEGIN
        IF shop IS NULL OR shop IS DISTINCT FROM p_shop THEN
            RAISE EXCEPTION 'la boutique % n''est pas celle de ce rôle', p_shop
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT last_seq INTO known FROM hq.shops WHERE shop_id = shop FOR UPDATE;
        IF p_last IS NULL OR p_last > known + 1099511627776
           OR EXISTS (SELECT 1 FROM unnest(p_seqs) AS n(s) WHERE s IS NULL OR s > p_last) THEN
            RAISE EXCEPTION 'numéros hors de la suite de la boutique % (reçu jusqu''au n° %)',
                shop, known USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO hq.operations AS t (shop_id, external_id, seq, body)
            SELECT shop, k, s, b::jsonb FROM unnest(p_kinds, p_keys, p_seqs, p_bodies) AS u(kind, k, s, b)
            WHERE kind = 'operation' AND s > known
            ON CONFLICT (shop_id, external_id) DO UPDATE
            SET seq = EXCLUDED.seq, body = EXCLUDED.body, received_at = now()
            WHERE t.seq < EXCLUDED.seq;
        INSERT INTO hq.events AS t (shop_id, id, seq, body)
            SELECT shop, k::bigint, s, b::jsonb FROM unnest(p_kinds, p_keys, p_seqs, p_bodies) AS u(kind, k, s, b)
            WHERE kind = 'event' AND s > known
            ON CONFLICT (shop_id, id) DO UPDATE
            SET seq = EXCLUDED.seq, body = EXCLUDED.body, received_at = now()
            WHERE t.seq < EXCLUDED.seq;
        INSERT INTO hq.drawers AS t (shop_id, id, seq, body)
            SELECT shop, k::bigint, s, b::jsonb FROM unnest(p_kinds, p_keys, p_seqs, p_bodies) AS u(kind, k, s, b)
            WHERE kind = 'drawer' AND s > known
            ON CONFLICT (shop_id, id) DO UPDATE
            SET seq = EXCLUDED.seq, body = EXCLUDED.body, received_at = now()
            WHERE t.seq < EXCLUDED.seq;
        INSERT INTO hq.z_reports AS t (shop_id, number, seq, body)
            SELECT shop, k::bigint, s, b::jsonb FROM unnest(p_kinds, p_keys, p_seqs, p_bodies) AS u(kind, k, s, b)
            WHERE kind = 'z_report' AND s > known
            ON CONFLICT (shop_id, number) DO UPDATE
            SET seq = EXCLUDED.seq, body = EXCLUDED.body, received_at = now()
            WHERE t.seq < EXCLUDED.seq;
        INSERT INTO hq.balance_readings AS t (shop_id, id, seq, body)
            SELECT shop, k::bigint, s, b::jsonb FROM unnest(p_kinds, p_keys, p_seqs, p_bodies) AS u(kind, k, s, b)
            WHERE kind = 'balance_reading' AND s > known
            ON CONFLICT (shop_id, id) DO UPDATE
            SET seq = EXCLUDED.seq, body = EXCLUDED.body, received_at = now()
            WHERE t.seq < EXCLUDED.seq;
        UPDATE hq.shops SET last_seq = GREATEST(last_seq, p_last), last_received_at = now(),
            journal_id = p_journal WHERE shop_id = shop
            RETURNING last_seq INTO known;
        RETURN known;
    END
    $f$;
    REVOKE ALL ON FUNCTION hq.push(text, text, bigint, text[], text[], bigint[], text[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION hq.push(text, text, bigint, text[], text[], bigint[], text[])
        TO caisse_shop;

    GRANT USAGE ON SCHEMA hq TO caisse_shop;
    -- Reading only, and only its own rows (the policies): where it stands, what it sent.
    GRANT SELECT ON hq.shops, hq.operations, hq.events, hq.drawers, hq.z_reports,
        hq.balance_readings TO caisse_shop;

    ALTER TABLE hq.shops ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.shops FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_shop ON hq.shops
        USING (role_name = session_user) WITH CHECK (role_name = session_user);

    ALTER TABLE hq.operations ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.operations FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON hq.operations
        USING (shop_id = hq.my_shop()) WITH CHECK (shop_id = hq.my_shop());
    ALTER TABLE hq.events ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.events FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON hq.events
        USING (shop_id = hq.my_shop()) WITH CHECK (shop_id = hq.my_shop());
    ALTER TABLE hq.drawers ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.drawers FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON hq.drawers
        USING (shop_id = hq.my_shop()) WITH CHECK (shop_id = hq.my_shop());
    ALTER TABLE hq.z_reports ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.z_reports FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON hq.z_reports
        USING (shop_id = hq.my_shop()) WITH CHECK (shop_id = hq.my_shop());
    ALTER TABLE hq.balance_readings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE hq.balance_readings FORCE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON hq.balance_readings
        USING (shop_id = hq.my_shop()) WITH CHECK (shop_id = hq.my_shop());
    "#,
];

/// The schema version this build writes.
pub const CURRENT_VERSION: i32 = MIGRATIONS.len() as i32;

/// A number of our own for `pg_advisory_xact_lock` (the journal's migrations' counterpart).
const MIGRATE_LOCK: i64 = 0x6361_6973_7365_0015;

/// Brings the head office's schema up to [`CURRENT_VERSION`]; returns (before, after).
pub async fn migrate(target: &Target, client: &mut Client) -> Result<(i32, i32), HqError> {
    let refused = |e: tokio_postgres::Error| target.refused(&e);
    let mut before = None;
    loop {
        let t = client.transaction().await.map_err(refused)?;
        t.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .await
            .map_err(refused)?;
        t.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS hq; \
             CREATE TABLE IF NOT EXISTS hq.schema_version (version integer NOT NULL); \
             INSERT INTO hq.schema_version SELECT 0 \
                 WHERE NOT EXISTS (SELECT 1 FROM hq.schema_version)",
        )
        .await
        .map_err(refused)?;
        let version: i32 = t
            .query_one("SELECT version FROM hq.schema_version", &[])
            .await
            .map_err(refused)?
            .get(0);
        before.get_or_insert(version);
        if version > CURRENT_VERSION {
            return Err(HqError::Refused {
                url: target.shown().to_owned(),
                reason: format!(
                    "le schéma du siège est à la version {version}, cette version de caisse \
                     connaît jusqu'à {CURRENT_VERSION} : mettez caisse à jour"
                ),
            });
        }
        if version == CURRENT_VERSION {
            t.commit().await.map_err(refused)?;
            return Ok((before.unwrap_or(version), version));
        }
        t.batch_execute(MIGRATIONS[version as usize])
            .await
            .map_err(refused)?;
        t.execute(
            "UPDATE hq.schema_version SET version = $1",
            &[&(version + 1)],
        )
        .await
        .map_err(refused)?;
        t.commit().await.map_err(refused)?;
    }
}

/// The version the head office's schema is at (0: never migrated).
pub async fn version(target: &Target, client: &Client) -> Result<i32, HqError> {
    let refused = |e: tokio_postgres::Error| target.refused(&e);
    let exists: bool = client
        .query_one("SELECT to_regclass('hq.schema_version') IS NOT NULL", &[])
        .await
        .map_err(refused)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM hq.schema_version", &[])
        .await
        .map_err(refused)?;
    Ok(row.map(|r| r.get(0)).unwrap_or(0))
}
