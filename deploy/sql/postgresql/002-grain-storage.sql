-- Grain state for Orleans' ADO.NET storage provider (Microsoft.Orleans.Persistence.AdoNet, invariant "Npgsql"), and
-- the three statements it runs: WriteToStorageKey, ReadFromStorageKey and ClearStorageKey.
--
-- The provider's contract (fixed by its code, not by this file):
--   parameters  @GrainIdHash int, @GrainIdN0 bigint, @GrainIdN1 bigint, @GrainTypeHash int, @GrainTypeString text,
--               @GrainIdExtensionString text (NULL for integer and GUID keys without extension), @ServiceId text,
--               and for writes and clears @GrainStateVersion int (NULL when the grain never read a record) and
--               @PayloadBinary bytea (the serialized state).
--   read        returns PayloadBinary (NULL: no state) and Version; no row: no record.
--   write       returns NewGrainStateVersion; no row or the old version means "not written" and the provider throws
--               InconsistentStateException. The version becomes the grain's ETag.
--   clear       returns the new version in its first column, with the same meaning.
-- Orleans passes the state name of [PersistentState(name)] as @GrainTypeString, and a string grain key as
-- @GrainIdExtensionString with both N0 and N1 zero; the grain type itself reaches the database nowhere. The
-- registration (AddPostgresGrainStorage) therefore hands the provider '<grain type>/<state name>' as the state name, so
-- that the identity below is (service id, grain type, grain key, state name) and two grain types with the same key and
-- state name keep separate records.
--
-- Where this differs from Orleans' published PostgreSQL script, and why:
--   * The grain identity is the primary key. Orleans' script has only a non-unique index on two hashes and inserts
--     with INSERT ... WHERE NOT EXISTS: two first writes of one grain (a duplicate activation during a membership
--     change) both see no row under READ COMMITTED and both insert; every later read then finds two rows and fails.
--     Here the second insert meets the key, inserts nothing and its writer gets InconsistentStateException.
--   * A write is one statement that compares and swaps (no function, no read-then-write).
--   * The version wraps from 2147483647 to -2147483648 instead of failing with "integer out of range": the provider's
--     ETag is a 32-bit integer, and a grain written a thousand times a second reaches the limit in 25 days.
--   * A clear keeps the row with a NULL state and the next version (a tombstone), so a version is never handed out
--     twice for one grain and a writer holding an ETag from before the clear can never match (no A-B-A). The delete
--     variant (DeleteStorageKey, DeleteStateOnClear = true) is not offered: it would restart versions at 1.
--   * State is stored as json text (the provider's serializer is System.Text.Json), readable with plain SQL.
--   * The hashes are not stored: the key is the identity itself.
--
-- Idempotent: safe to run any number of times and from several silos at once.

SELECT pg_advisory_xact_lock(hashtext('OrleansTenancy deploy/sql'));

CREATE TABLE IF NOT EXISTS orleans_grain_state (
    service_id     text        NOT NULL,
    type_and_state text        NOT NULL,  -- @GrainTypeString: '<grain type>/<state name>'
    grain_key      text        NOT NULL,  -- @GrainIdExtensionString, '' when the provider passes NULL
    grain_id_n0    bigint      NOT NULL,
    grain_id_n1    bigint      NOT NULL,
    payload        json        NULL,      -- NULL after a clear
    version        integer     NOT NULL,
    modified_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_identity PRIMARY KEY (service_id, type_and_state, grain_key, grain_id_n0, grain_id_n1)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
(
    'ReadFromStorageKey', $sql$
    SELECT convert_to(payload::text, 'UTF8') AS payloadbinary, version
    FROM orleans_grain_state
    WHERE service_id = @ServiceId AND type_and_state = @GrainTypeString
      AND grain_key = coalesce(@GrainIdExtensionString, '') AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
    $sql$
),
(
    -- Exactly one branch can act: with a version, the UPDATE compares and swaps; without one, the INSERT creates the
    -- row unless the key already exists. Either way no row comes back when nothing was written.
    'WriteToStorageKey', $sql$
    WITH updated AS (
        UPDATE orleans_grain_state
        SET payload = convert_from(@PayloadBinary, 'UTF8')::json,
            version = CASE WHEN version = 2147483647 THEN -2147483648 ELSE version + 1 END,
            modified_at = now()
        WHERE service_id = @ServiceId AND type_and_state = @GrainTypeString
          AND grain_key = coalesce(@GrainIdExtensionString, '') AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND version = @GrainStateVersion
        RETURNING version
    ), inserted AS (
        INSERT INTO orleans_grain_state (service_id, type_and_state, grain_key, grain_id_n0, grain_id_n1, payload, version)
        SELECT @ServiceId, @GrainTypeString, coalesce(@GrainIdExtensionString, ''), @GrainIdN0, @GrainIdN1,
               convert_from(@PayloadBinary, 'UTF8')::json, 1
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT ON CONSTRAINT orleans_grain_state_identity DO NOTHING
        RETURNING version
    )
    SELECT version AS newgrainstateversion FROM updated
    UNION ALL
    SELECT version FROM inserted
    $sql$
),
(
    'ClearStorageKey', $sql$
    UPDATE orleans_grain_state
    SET payload = NULL,
        version = CASE WHEN version = 2147483647 THEN -2147483648 ELSE version + 1 END,
        modified_at = now()
    WHERE service_id = @ServiceId AND type_and_state = @GrainTypeString
      AND grain_key = coalesce(@GrainIdExtensionString, '') AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND version = @GrainStateVersion
    RETURNING version AS newgrainstateversion
    $sql$
)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;

-- A DeleteStorageKey left by another script would delete rows of another table; without it the provider refuses
-- DeleteStateOnClear = true at start, which is the intent.
DELETE FROM orleansquery WHERE querykey = 'DeleteStorageKey';
