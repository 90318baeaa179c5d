using Microsoft.Data.Sqlite;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Ledger;

/// <summary>
/// The usage ledger in a SQLite file. SQLite has no exact decimal type, so money is stored as integer
/// nano-dollars (sums stay exact) and instants as unix microseconds.
/// </summary>
public sealed partial class SqliteUsageLedger : UsageLedgerBase, IDisposable
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS usage_ledger (
            request_id           TEXT    NOT NULL,
            tenant               TEXT    NOT NULL,
            workspace            TEXT    NOT NULL,
            agent                TEXT    NULL,
            task                 TEXT    NULL,
            model                TEXT    NOT NULL,
            provider             TEXT    NULL,
            tokens_in            INTEGER NOT NULL,
            tokens_out           INTEGER NOT NULL,
            cost_nanos           INTEGER NOT NULL,
            estimated_cost_nanos INTEGER NOT NULL,
            latency_ms           INTEGER NOT NULL,
            status               TEXT    NOT NULL,
            cached               INTEGER NOT NULL,
            created_us           INTEGER NOT NULL,
            -- Request ids are unique per tenant: one tenant's ids can never collide with (and hide) another's rows.
            PRIMARY KEY (tenant, request_id)
        );
        CREATE INDEX IF NOT EXISTS usage_ledger_tenant_time ON usage_ledger (tenant, created_us, request_id);
        CREATE INDEX IF NOT EXISTS usage_ledger_workspace_time ON usage_ledger (tenant, workspace, created_us);
        """,
        "ALTER TABLE usage_ledger ADD COLUMN reason TEXT NULL;",
    ];

    private const decimal NanosPerDollar = 1_000_000_000m;

    private const string Sums = $"""
        COUNT(*),
        COALESCE(SUM(CASE WHEN status IN ({UsageStatus.ChargedSqlList}) THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(tokens_in), 0), COALESCE(SUM(tokens_out), 0),
        COALESCE(SUM(cost_nanos), 0), COALESCE(SUM(estimated_cost_nanos), 0),
        COALESCE(SUM(cached), 0)
        """;

    private const string Columns = """
        request_id, tenant, workspace, agent, task, model, provider, tokens_in, tokens_out,
        cost_nanos, estimated_cost_nanos, latency_ms, status, cached, created_us, reason
        """;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the ledger; the file and table are created on first use.</summary>
    public SqliteUsageLedger(SqliteLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        FilePath = Path.GetFullPath(options.DataSource);
        _connectionString = SqliteFiles.ConnectionString(FilePath, options.BusyTimeout);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Releases pooled connections to the file.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _initLock.Dispose();
    }

    /// <inheritdoc />
    protected override async Task<LedgerInsertResult> InsertAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteWriteBatcher.For(FilePath).RunAsync(_connectionString, async connection =>
        {
            await using var command = InsertCommand(connection);
            return await InsertOneAsync(command, record).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<LedgerInsertResult>> InsertBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        // One write of the file's shared queue: the rows commit together (with other writers' statements), or none do.
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteWriteBatcher.For(FilePath).RunAsync<IReadOnlyList<LedgerInsertResult>>(_connectionString, async connection =>
        {
            await using var command = InsertCommand(connection);
            var results = new LedgerInsertResult[records.Count];
            for (var i = 0; i < records.Count; i++)
            {
                results[i] = await InsertOneAsync(command, records[i]).ConfigureAwait(false);
            }

            return results;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO usage_ledger ({Columns})
            VALUES ($request_id, $tenant, $workspace, $agent, $task, $model, $provider, $tokens_in, $tokens_out,
                    $cost_nanos, $estimated_cost_nanos, $latency_ms, $status, $cached, $created_us, $reason)
            ON CONFLICT (tenant, request_id) DO UPDATE SET
                workspace = excluded.workspace, agent = excluded.agent, task = excluded.task, model = excluded.model,
                provider = excluded.provider, tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
                cost_nanos = excluded.cost_nanos, estimated_cost_nanos = excluded.estimated_cost_nanos,
                latency_ms = excluded.latency_ms, status = excluded.status, cached = excluded.cached, created_us = excluded.created_us,
                reason = excluded.reason
            WHERE usage_ledger.status NOT IN ({UsageStatus.ChargedSqlList}) AND excluded.status IN ({UsageStatus.ChargedSqlList})
            """;
        foreach (var name in new[]
        {
            "$request_id", "$tenant", "$workspace", "$agent", "$task", "$model", "$provider", "$tokens_in", "$tokens_out",
            "$cost_nanos", "$estimated_cost_nanos", "$latency_ms", "$status", "$cached", "$created_us", "$reason",
        })
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static async Task<LedgerInsertResult> InsertOneAsync(SqliteCommand command, UsageRecord record)
    {
        var p = command.Parameters;
        p["$request_id"].Value = record.RequestId;
        p["$tenant"].Value = record.Tenant;
        p["$workspace"].Value = record.Workspace;
        p["$agent"].Value = (object?)record.Agent ?? DBNull.Value;
        p["$task"].Value = (object?)record.Task ?? DBNull.Value;
        p["$model"].Value = record.Model;
        p["$provider"].Value = (object?)record.Provider ?? DBNull.Value;
        p["$tokens_in"].Value = record.TokensIn;
        p["$tokens_out"].Value = record.TokensOut;
        p["$cost_nanos"].Value = ToNanos(record.CostUsd);
        p["$estimated_cost_nanos"].Value = ToNanos(record.EstimatedCostUsd);
        p["$latency_ms"].Value = record.LatencyMs;
        p["$status"].Value = record.Status;
        p["$cached"].Value = record.Cached ? 1 : 0;
        p["$created_us"].Value = UsageLedgerValidation.ToUnixMicroseconds(record.CreatedAt);
        p["$reason"].Value = (object?)record.Reason ?? DBNull.Value;
        return await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 1
            ? LedgerInsertResult.Recorded
            : LedgerInsertResult.AlreadyRecorded;
    }

    private static long ToNanos(decimal usd) => decimal.ToInt64(usd * NanosPerDollar);

    private static decimal FromNanos(long nanos) => nanos / NanosPerDollar;

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteFiles.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_initialized)
                {
                    await SqliteFiles.MigrateAsync(FilePath, _connectionString, "usage_ledger", Migrations, cancellationToken).ConfigureAwait(false);
                    _initialized = true;
                }
            }
            finally
            {
                _initLock.Release();
            }
        }
    }
}
