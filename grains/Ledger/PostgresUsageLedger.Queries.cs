using Npgsql;

namespace OrleansTenancy.Ledger;

public sealed partial class PostgresUsageLedger
{
    /// <inheritdoc />
    protected override async Task<bool> ChargedExistsAsync(string tenant, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM usage_ledger WHERE tenant = @tenant AND request_id = @id AND status IN ({UsageStatus.ChargedSqlList}))", connection);
        command.Parameters.AddWithValue("id", requestId);
        command.Parameters.AddWithValue("tenant", tenant);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    protected override async Task<UsageTotals> SumAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"""
            SELECT {Sums} FROM usage_ledger
            WHERE tenant = @tenant AND (@workspace::text IS NULL OR workspace = @workspace)
              AND created_at >= @from AND created_at < @to
            """, connection);
        AddRange(command, tenant, fromUtc, toUtc);
        command.Parameters.Add(new NpgsqlParameter("workspace", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)workspace ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return ReadTotals(reader, 0);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<UsageBreakdown>> SumGroupedAsync(string tenant, LedgerGrouping grouping, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        var column = grouping == LedgerGrouping.Model ? "model" : "workspace";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"""
            SELECT {column}, {Sums} FROM usage_ledger
            WHERE tenant = @tenant AND created_at >= @from AND created_at < @to
            GROUP BY {column}
            """, connection);
        AddRange(command, tenant, fromUtc, toUtc);
        var rows = new List<UsageBreakdown>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new UsageBreakdown(reader.GetString(0), ReadTotals(reader, 1)));
        }

        return rows;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyDictionary<DateOnly, UsageTotals>> SumPerDayAsync(
        string tenant, IReadOnlyList<(DateOnly Date, DateTimeOffset FromUtc, DateTimeOffset ToUtc)> days, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"""
            SELECT d.day_number, {Sums}
            FROM unnest(@day_numbers, @froms, @tos) AS d(day_number, from_at, to_at)
            JOIN usage_ledger ON tenant = @tenant AND created_at >= d.from_at AND created_at < d.to_at
            GROUP BY d.day_number
            """, connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("day_numbers", days.Select(d => d.Date.DayNumber).ToArray());
        command.Parameters.AddWithValue("froms", days.Select(d => d.FromUtc.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("tos", days.Select(d => d.ToUtc.UtcDateTime).ToArray());
        var perDay = new Dictionary<DateOnly, UsageTotals>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            perDay[DateOnly.FromDayNumber(reader.GetInt32(0))] = ReadTotals(reader, 1);
        }

        return perDay;
    }

    /// <inheritdoc />
    protected override async Task<ExecutionPage> PageAsync(string tenant, string? workspace, int pageSize, (long CreatedMicros, string RequestId)? after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM usage_ledger
            WHERE tenant = @tenant AND (@workspace::text IS NULL OR workspace = @workspace)
              AND (@after_at::timestamptz IS NULL OR (created_at, request_id) < (@after_at, @after_id))
            ORDER BY created_at DESC, request_id DESC
            LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(new NpgsqlParameter("workspace", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)workspace ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlTypes.NpgsqlDbType.TimestampTz)
        {
            Value = after is { } a ? UsageLedgerValidation.FromUnixMicroseconds(a.CreatedMicros).UtcDateTime : DBNull.Value,
        });
        command.Parameters.Add(new NpgsqlParameter("after_id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)after?.RequestId ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", pageSize + 1);
        var rows = new List<UsageRecord>(pageSize + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new UsageRecord
            {
                RequestId = reader.GetString(0),
                Tenant = reader.GetString(1),
                Workspace = reader.GetString(2),
                Agent = reader.IsDBNull(3) ? null : reader.GetString(3),
                Task = reader.IsDBNull(4) ? null : reader.GetString(4),
                Model = reader.GetString(5),
                Provider = reader.IsDBNull(6) ? null : reader.GetString(6),
                TokensIn = reader.GetInt64(7),
                TokensOut = reader.GetInt64(8),
                CostUsd = reader.GetDecimal(9),
                EstimatedCostUsd = reader.GetDecimal(10),
                LatencyMs = reader.GetInt64(11),
                Status = reader.GetString(12),
                Cached = reader.GetBoolean(13),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(14),
                Reason = reader.IsDBNull(15) ? null : reader.GetString(15),
            });
        }

        return ToPage(rows, pageSize);
    }

    private static void AddRange(NpgsqlCommand command, string tenant, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("from", fromUtc.UtcDateTime);
        command.Parameters.AddWithValue("to", toUtc.UtcDateTime);
    }

    private static UsageTotals ReadTotals(NpgsqlDataReader reader, int first) => new(
        Requests: reader.GetInt64(first),
        Executions: reader.GetInt64(first + 1),
        TokensIn: reader.GetInt64(first + 2),
        TokensOut: reader.GetInt64(first + 3),
        CostUsd: reader.GetDecimal(first + 4),
        EstimatedCostUsd: reader.GetDecimal(first + 5),
        CachedRequests: reader.GetInt64(first + 6));
}
