using Npgsql;
using OrleansTenancy.Sql;

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
        "ALTER TABLE usage_ledger ADD COLUMN IF NOT EXISTS reason text NULL;",
    ];

    private const string Sums = $"""
        COUNT(*),
        COUNT(*) FILTER (WHERE status IN ({UsageStatus.ChargedSqlList})),
        COALESCE(SUM(tokens_in), 0)::bigint, COALESCE(SUM(tokens_out), 0)::bigint,
        COALESCE(SUM(cost_usd), 0), COALESCE(SUM(estimated_cost_usd), 0),
        COUNT(*) FILTER (WHERE cached)
        """;

    private const string Columns = """
        request_id, tenant, workspace, agent, task, model, provider, tokens_in, tokens_out,
        cost_usd, estimated_cost_usd, latency_ms, status, cached, created_at, reason
        """;

    // Rows as one array per column (in the order of Columns): the server plans and runs one statement for a whole
    // batch, where a statement per row costs a parse, a plan and an execution each. A repeated request id changes
    // nothing, unless a charged row replaces an uncharged one. The rows written come back, so each row learns whether
    // it was stored.
    private const string InsertSql = $"""
        INSERT INTO usage_ledger ({Columns})
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::bigint[], $9::bigint[], $10::numeric[], $11::numeric[], $12::bigint[], $13::text[], $14::boolean[],
            $15::timestamptz[], $16::text[])
        ON CONFLICT (tenant, request_id) DO UPDATE SET
            workspace = excluded.workspace, agent = excluded.agent, task = excluded.task, model = excluded.model,
            provider = excluded.provider, tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
            cost_usd = excluded.cost_usd, estimated_cost_usd = excluded.estimated_cost_usd,
            latency_ms = excluded.latency_ms, status = excluded.status, cached = excluded.cached, created_at = excluded.created_at,
            reason = excluded.reason
        WHERE usage_ledger.status NOT IN ({UsageStatus.ChargedSqlList}) AND excluded.status IN ({UsageStatus.ChargedSqlList})
        RETURNING tenant, request_id
        """;

    /// <summary>The most row batches (of different callers) inserted in one transaction.</summary>
    public const int MaxBatchesPerTransaction = 64;

    private readonly NpgsqlDataSource _dataSource;
    private readonly BatchDrainer<PendingBatch> _pending;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the ledger and its connection pool; the table is created on first use.</summary>
    public PostgresUsageLedger(PostgresLedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _pending = new BatchDrainer<PendingBatch>(InsertTogetherAsync, static (batch, error) => batch.Completion.TrySetException(error), MaxBatchesPerTransaction, maxInFlight: 4);
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
        var written = await InsertDistinctAsync(connection, transaction: null, [record], cancellationToken).ConfigureAwait(false);
        return written.Count == 1 ? LedgerInsertResult.Recorded : LedgerInsertResult.AlreadyRecorded;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Batches of different callers (one per tenant grain) that queue while others are being inserted go into one
    /// transaction and one round trip, so one WAL flush serves many tenants.
    /// </remarks>
    protected override async Task<IReadOnlyList<LedgerInsertResult>> InsertBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingBatch(records);
        _pending.Add(pending);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Inserts the rows of several callers in one transaction (the drainer retries each alone on failure).</summary>
    private async Task InsertTogetherAsync(List<PendingBatch> batches)
    {
        var results = await InsertRowsAsync(batches.SelectMany(b => b.Records).ToList()).ConfigureAwait(false);
        var offset = 0;
        foreach (var batch in batches)
        {
            batch.Completion.TrySetResult(results[offset..(offset + batch.Records.Count)]);
            offset += batch.Records.Count;
        }
    }

    private async Task<LedgerInsertResult[]> InsertRowsAsync(List<UsageRecord> records)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var results = new LedgerInsertResult[records.Count];
        foreach (var statement in Statements(records))
        {
            var written = await InsertDistinctAsync(connection, transaction, statement.ConvertAll(index => records[index]), CancellationToken.None).ConfigureAwait(false);
            foreach (var index in statement)
            {
                results[index] = written.Contains((records[index].Tenant, records[index].RequestId))
                    ? LedgerInsertResult.Recorded
                    : LedgerInsertResult.AlreadyRecorded;
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Splits rows into statements in which no (tenant, request id) repeats, since one statement cannot change a row
    /// twice: the n-th row of a request id goes into the n-th statement, so the rows of one id keep their order. Rows
    /// are in key order within a statement, so two concurrent transactions never wait on each other's keys.
    /// </summary>
    private static List<List<int>> Statements(List<UsageRecord> records)
    {
        var statements = new List<List<int>>();
        var seen = new Dictionary<(string Tenant, string RequestId), int>();
        var ordered = Enumerable.Range(0, records.Count)
            .OrderBy(i => records[i].Tenant, StringComparer.Ordinal)
            .ThenBy(i => records[i].RequestId, StringComparer.Ordinal);
        foreach (var index in ordered)
        {
            var key = (records[index].Tenant, records[index].RequestId);
            var occurrence = seen.GetValueOrDefault(key);
            seen[key] = occurrence + 1;
            if (occurrence == statements.Count)
            {
                statements.Add([]);
            }

            statements[occurrence].Add(index);
        }

        return statements;
    }

    /// <summary>One caller's rows, waiting to be inserted with other callers' rows.</summary>
    private sealed class PendingBatch(IReadOnlyList<UsageRecord> records)
    {
        public IReadOnlyList<UsageRecord> Records { get; } = records;

        public TaskCompletionSource<IReadOnlyList<LedgerInsertResult>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Inserts rows whose (tenant, request id) are all distinct in one statement; returns the keys it wrote.</summary>
    private static async Task<HashSet<(string Tenant, string RequestId)>> InsertDistinctAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, List<UsageRecord> rows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        AddColumnArrays(command.Parameters, rows);
        var written = new HashSet<(string Tenant, string RequestId)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            written.Add((reader.GetString(0), reader.GetString(1)));
        }

        return written;
    }

    private static void AddColumnArrays(NpgsqlParameterCollection parameters, List<UsageRecord> rows)
    {
        parameters.Add(Column(rows, r => r.RequestId));
        parameters.Add(Column(rows, r => r.Tenant));
        parameters.Add(Column(rows, r => r.Workspace));
        parameters.Add(Column(rows, r => r.Agent));
        parameters.Add(Column(rows, r => r.Task));
        parameters.Add(Column(rows, r => r.Model));
        parameters.Add(Column(rows, r => r.Provider));
        parameters.Add(Column(rows, r => r.TokensIn));
        parameters.Add(Column(rows, r => r.TokensOut));
        parameters.Add(Column(rows, r => r.CostUsd));
        parameters.Add(Column(rows, r => r.EstimatedCostUsd));
        parameters.Add(Column(rows, r => r.LatencyMs));
        parameters.Add(Column(rows, r => r.Status));
        parameters.Add(Column(rows, r => r.Cached));
        parameters.Add(Column(rows, r => r.CreatedAt));
        parameters.Add(Column(rows, r => r.Reason));

        static NpgsqlParameter<T[]> Column<T>(List<UsageRecord> rows, Func<UsageRecord, T> value) => new() { TypedValue = [.. rows.Select(value)] };
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
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
    }
}
