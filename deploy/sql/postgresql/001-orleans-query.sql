-- The table Orleans' ADO.NET providers read their statements from. Microsoft.Orleans.Persistence.AdoNet ships no SQL:
-- at silo start it runs
--     SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey' OR ...
-- (unquoted, so PostgreSQL folds the names to lower case) and from then on executes the text stored under each key.
-- The statements themselves are in 002-grain-storage.sql.
--
-- Idempotent: every script in this folder can run any number of times, and several silos may run them at once.
-- Apply with deploy/sql/apply.sh, or let the silo apply them at start (see deploy/sql/README.md).

-- One applier at a time: CREATE TABLE IF NOT EXISTS alone can still fail with a unique violation on pg_type when two
-- sessions run it at the same moment. The lock is held until the applying transaction ends.
SELECT pg_advisory_xact_lock(hashtext('OrleansTenancy deploy/sql'));

CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT orleansquery_key PRIMARY KEY (querykey)
);
