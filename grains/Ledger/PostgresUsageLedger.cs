using Npgsql;
using OrleansTenancy.Runtime.Sql;

namespace OrleansTenancy.Ledger;

/// <summary>
/// The usage ledger in PostgreSQL: money as <c>numeric(30,9)</c>, instants as <c>timestamptz</c>, the
/// request id as primary key so concurrent retries of one settle insert exactly one row.
/// </summary>
public sealed partial class PostgresUsageLedger : UsageLedgerBase, IAsyncDisposable
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS usage_ledger (
            request_id         text          NOT NULL,
            tenant             text          NOT NULL,
            workspace          text          NOT NULL,
            agent              text          NULL,
            task               text          NULL,
            model              text          NOT NULL,
            provider           text          NULL,
            tokens_in          bigint        NOT NULL,
            tokens_out         bigint        NOT NULL,
            cost_usd           numeric(30,9) NOT NULL,
            estimated_cost_usd numeric(30,9) NOT NULL,
            latency_ms         bigint        NOT NULL,
            status             text          NOT NULL,
            cached             boolean       NOT NULL,
            created_at         timestamptz   NOT NULL,
            -- Request ids are unique per tenant: one tenant's ids can never collide with (and hide) another's rows.
            PRIMARY KEY (tenant, request_id)
        );
        CREATE INDEX IF NOT EXISTS usage_ledger_tenant_time ON usage_ledger (tenant, created_at, request_id);
        CREATE INDEX IF NOT EXISTS usage_ledger_workspace_time ON usage_ledger (tenant, workspace, created_at);
        """,
    ];

    private const string Sums = """
        COUNT(*),
        COUNT(*) FILTER (WHERE status IN ('ok', 'cancelled', 'incomplete')),
        COALESCE(SUM(tokens_in), 0)::bigint, COALESCE(SUM(tokens_out), 0)::bigint,
        COALESCE(SUM(cost_usd), 0), COALESCE(SUM(estimated_cost_usd), 0),
        COUNT(*) FILTER (WHERE cached)
        """;

    private const string Columns = """
        request_id, tenant, workspace, agent, task, model, provider, tokens_in, tokens_out,
        cost_usd, estimated_cost_usd, latency_ms, status, cached, created_at
        """;

    private const string InsertSql = $"""
        INSERT INTO usage_ledger ({Columns})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (tenant, request_id) DO NOTHING
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the ledger and its connection pool; the table is created on first use.</summary>
    public PostgresUsageLedger(PostgresLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    /// <summary>Closes the connection pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initLock.Dispose();
    }

    /// <inheritdoc />
    protected override async Task<LedgerInsertResult> InsertAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(InsertSql, connection);
        AddInsertParameters(command.Parameters, record);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1
            ? LedgerInsertResult.Recorded
            : LedgerInsertResult.AlreadyRecorded;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<LedgerInsertResult>> InsertBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One round trip per batch: the statements run in order, so a repeated id inside the batch is skipped.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var record in records)
        {
            var command = new NpgsqlBatchCommand(InsertSql);
            AddInsertParameters(command.Parameters, record);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var results = new LedgerInsertResult[records.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = batch.BatchCommands[i].RecordsAffected == 1 ? LedgerInsertResult.Recorded : LedgerInsertResult.AlreadyRecorded;
        }

        return results;
    }

    private static void AddInsertParameters(NpgsqlParameterCollection parameters, UsageRecord record)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = record.RequestId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Tenant });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Workspace });
        parameters.Add(new NpgsqlParameter { Value = (object?)record.Agent ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = (object?)record.Task ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Model });
        parameters.Add(new NpgsqlParameter { Value = (object?)record.Provider ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = record.TokensIn });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = record.TokensOut });
        parameters.Add(new NpgsqlParameter<decimal> { TypedValue = record.CostUsd });
        parameters.Add(new NpgsqlParameter<decimal> { TypedValue = record.EstimatedCostUsd });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = record.LatencyMs });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Status });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = record.Cached });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.CreatedAt });
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_initialized)
                {
                    await PostgresMigrations.ApplyAsync(_dataSource, "usage_ledger", Migrations, cancellationToken).ConfigureAwait(false);
                    _initialized = true;
                }
            }
            finally
            {
                _initLock.Release();
            }
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }
}
