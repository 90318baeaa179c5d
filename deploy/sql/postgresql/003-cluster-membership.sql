-- Cluster membership for Orleans' ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet, invariant
-- "Npgsql"): one row per silo and one version row per cluster, and the nine statements the provider runs.
--
-- The provider's contract (fixed by its code, not by this file):
--   It reads every statement of orleansquery at start and refuses to start unless all nine keys below are there.
--   Parameters: @DeploymentId text (the cluster id), @Address text, @Port int, @Generation int (together the silo),
--               @SiloName text, @HostName text, @Status int (Orleans' SiloStatus: 3 = Active, 6 = Dead), @ProxyPort int
--               (the gateway port, 0 for none), @SuspectTimes text ('<silo>,<time>|...' or NULL), @StartTime and
--               @IAmAliveTime timestamptz (UTC), @Version int (the table version the caller read).
--   Reads (MembershipReadRowKey, MembershipReadAllKey) return the cluster's version row even when no silo matches,
--   with the silo columns NULL: the provider takes a NULL starttime for "no silo" and reads the version from the
--   first row. Columns are found by name: address, port, generation, siloname, hostname, status, proxyport,
--   suspecttimes, starttime, iamalivetime, version.
--   InsertMembershipVersionKey, InsertMembershipKey and UpdateMembershipKey return one boolean: whether they wrote.
--   Membership is optimistic: a silo reads the table, decides, and writes only if the version is still the one it
--   read; every write of a silo row moves the version on by one, so of two silos deciding at once one wins and the
--   other re-reads. The heartbeat (UpdateIAmAlivetimeKey) changes no version.
-- The cluster id is what Orleans calls the deployment id; the tables name it cluster_id.
--
-- Where this differs from Orleans' published PostgreSQL-Clustering.sql, and why:
--   * No functions. Each write is one statement: it locks the version row only if it still holds the version the
--     caller read, writes the silo row only then, and moves the version on only if the silo row was written. A
--     statement cannot leave half of that done, so nothing needs an exception block to undo it.
--   * A silo row is written only under the version it was decided on. Orleans' functions write the silo row before
--     they compare versions and rely on a failed ASSERT to roll it back.
--   * The silo columns are snake_case; the statements alias them to the names the provider reads.
--   * Times are timestamptz with microseconds (Orleans' script keeps milliseconds); the provider reads them back as
--     UTC either way.
--   * Removing a cluster's version row removes its silos (ON DELETE CASCADE) as well.
--
-- Idempotent: safe to run any number of times and from several silos at once.

SELECT pg_advisory_xact_lock(hashtext('OrleansTenancy deploy/sql'));

CREATE TABLE IF NOT EXISTS orleans_membership_version (
    cluster_id  text        NOT NULL,
    version     integer     NOT NULL DEFAULT 0,
    modified_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_membership_version_key PRIMARY KEY (cluster_id)
);

CREATE TABLE IF NOT EXISTS orleans_membership (
    cluster_id     text        NOT NULL,
    address        text        NOT NULL,
    port           integer     NOT NULL,
    generation     integer     NOT NULL,
    silo_name      text        NOT NULL,
    host_name      text        NOT NULL,
    status         integer     NOT NULL,
    proxy_port     integer     NOT NULL DEFAULT 0,
    suspect_times  text        NULL,
    start_time     timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT orleans_membership_key PRIMARY KEY (cluster_id, address, port, generation),
    CONSTRAINT orleans_membership_cluster FOREIGN KEY (cluster_id)
        REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE
);

INSERT INTO orleansquery (querykey, querytext) VALUES
(
    'InsertMembershipVersionKey', $sql$
    WITH inserted AS (
        INSERT INTO orleans_membership_version (cluster_id) VALUES (@DeploymentId)
        ON CONFLICT ON CONSTRAINT orleans_membership_version_key DO NOTHING
        RETURNING cluster_id
    )
    SELECT count(*) = 1 AS inserted FROM inserted
    $sql$
),
(
    -- FOR UPDATE waits for a concurrent writer of the version row and then re-checks the version against the row it
    -- committed, so two silos that read the same version cannot both write.
    'InsertMembershipKey', $sql$
    WITH current_version AS (
        SELECT cluster_id FROM orleans_membership_version
        WHERE cluster_id = @DeploymentId AND version = @Version
        FOR UPDATE
    ), inserted AS (
        INSERT INTO orleans_membership
            (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
        SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, coalesce(@ProxyPort, 0),
               @StartTime, @IAmAliveTime
        FROM current_version
        ON CONFLICT ON CONSTRAINT orleans_membership_key DO NOTHING
        RETURNING cluster_id
    ), bumped AS (
        UPDATE orleans_membership_version AS v
        SET version = v.version + 1, modified_at = now()
        FROM inserted
        WHERE v.cluster_id = inserted.cluster_id
        RETURNING v.version
    )
    SELECT count(*) = 1 AS inserted FROM bumped
    $sql$
),
(
    'UpdateMembershipKey', $sql$
    WITH current_version AS (
        SELECT cluster_id FROM orleans_membership_version
        WHERE cluster_id = @DeploymentId AND version = @Version
        FOR UPDATE
    ), updated AS (
        UPDATE orleans_membership AS m
        SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
        FROM current_version
        WHERE m.cluster_id = current_version.cluster_id
          AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
        RETURNING m.cluster_id
    ), bumped AS (
        UPDATE orleans_membership_version AS v
        SET version = v.version + 1, modified_at = now()
        FROM updated
        WHERE v.cluster_id = updated.cluster_id
        RETURNING v.version
    )
    SELECT count(*) = 1 AS updated FROM bumped
    $sql$
),
(
    -- The heartbeat: diagnostic, and what tells a stale silo row from a live one. It moves no version.
    'UpdateIAmAlivetimeKey', $sql$
    UPDATE orleans_membership
    SET i_am_alive_time = @IAmAliveTime
    WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
    $sql$
),
(
    'MembershipReadRowKey', $sql$
    SELECT m.address, m.port, m.generation, m.silo_name AS siloname, m.host_name AS hostname, m.status,
           m.proxy_port AS proxyport, m.suspect_times AS suspecttimes, m.start_time AS starttime,
           m.i_am_alive_time AS iamalivetime, v.version
    FROM orleans_membership_version AS v
    LEFT JOIN orleans_membership AS m
        ON m.cluster_id = v.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.cluster_id = @DeploymentId
    $sql$
),
(
    'MembershipReadAllKey', $sql$
    SELECT m.address, m.port, m.generation, m.silo_name AS siloname, m.host_name AS hostname, m.status,
           m.proxy_port AS proxyport, m.suspect_times AS suspecttimes, m.start_time AS starttime,
           m.i_am_alive_time AS iamalivetime, v.version
    FROM orleans_membership_version AS v
    LEFT JOIN orleans_membership AS m ON m.cluster_id = v.cluster_id
    WHERE v.cluster_id = @DeploymentId
    $sql$
),
(
    -- What cluster clients connect to: the gateways of active silos.
    'GatewaysQueryKey', $sql$
    SELECT address, proxy_port AS proxyport, generation
    FROM orleans_membership
    WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
    $sql$
),
(
    -- Rows of silos that stopped or died long ago (Orleans passes the cut-off); active silos are never removed.
    'CleanupDefunctSiloEntriesKey', $sql$
    DELETE FROM orleans_membership
    WHERE cluster_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
    $sql$
),
(
    'DeleteMembershipTableEntriesKey', $sql$
    DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId
    $sql$
)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
