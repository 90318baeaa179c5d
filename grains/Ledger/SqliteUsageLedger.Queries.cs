using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace OrleansTenancy.Ledger;

public sealed partial class SqliteUsageLedger
{
    /// <inheritdoc />
    protected override async Task<bool> ChargedExistsAsync(string tenant, string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM usage_ledger WHERE tenant = $tenant AND request_id = $id AND status IN ({UsageStatus.ChargedSqlList}))";
        command.Parameters.AddWithValue("$id", requestId);
        command.Parameters.AddWithValue("$tenant", tenant);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <inheritdoc />
    protected override async Task<UsageTotals> SumAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Sums} FROM usage_ledger
            WHERE tenant = $tenant AND ($workspace IS NULL OR workspace = $workspace)
              AND created_us >= $from AND created_us < $to
            """;
        AddRange(command, tenant, fromUtc, toUtc);
        command.Parameters.AddWithValue("$workspace", (object?)workspace ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return ReadTotals(reader, 0);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<UsageBreakdown>> SumGroupedAsync(string tenant, LedgerGrouping grouping, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        var column = grouping == LedgerGrouping.Model ? "model" : "workspace";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {column}, {Sums} FROM usage_ledger
            WHERE tenant = $tenant AND created_us >= $from AND created_us < $to
            GROUP BY {column}
            """;
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
        // The day boundaries travel as one JSON array, so a period of any length is a single statement.
        var json = new StringBuilder("[");
        foreach (var (date, from, to) in days)
        {
            json.Append(CultureInfo.InvariantCulture,
                $"[{date.DayNumber},{UsageLedgerValidation.ToUnixMicroseconds(from)},{UsageLedgerValidation.ToUnixMicroseconds(to)}],");
        }

        json.Length--;
        json.Append(']');

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            WITH days AS (
                SELECT json_extract(value, '$[0]') AS day_number,
                       json_extract(value, '$[1]') AS from_us,
                       json_extract(value, '$[2]') AS to_us
                FROM json_each($days))
            SELECT d.day_number, {Sums}
            FROM days d JOIN usage_ledger ON tenant = $tenant AND created_us >= d.from_us AND created_us < d.to_us
            GROUP BY d.day_number
            """;
        command.Parameters.AddWithValue("$days", json.ToString());
        command.Parameters.AddWithValue("$tenant", tenant);
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
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM usage_ledger
            WHERE tenant = $tenant AND ($workspace IS NULL OR workspace = $workspace)
              AND ($after_us IS NULL OR created_us < $after_us OR (created_us = $after_us AND request_id < $after_id))
            ORDER BY created_us DESC, request_id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$workspace", (object?)workspace ?? DBNull.Value);
        command.Parameters.AddWithValue("$after_us", (object?)after?.CreatedMicros ?? DBNull.Value);
        command.Parameters.AddWithValue("$after_id", (object?)after?.RequestId ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", pageSize + 1);
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
                CostUsd = FromNanos(reader.GetInt64(9)),
                EstimatedCostUsd = FromNanos(reader.GetInt64(10)),
                LatencyMs = reader.GetInt64(11),
                Status = reader.GetString(12),
                Cached = reader.GetInt64(13) != 0,
                CreatedAt = UsageLedgerValidation.FromUnixMicroseconds(reader.GetInt64(14)),
                Reason = reader.IsDBNull(15) ? null : reader.GetString(15),
            });
        }

        return ToPage(rows, pageSize);
    }

    private static void AddRange(SqliteCommand command, string tenant, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$from", UsageLedgerValidation.ToUnixMicroseconds(fromUtc));
        command.Parameters.AddWithValue("$to", UsageLedgerValidation.ToUnixMicroseconds(toUtc));
    }

    private static UsageTotals ReadTotals(SqliteDataReader reader, int first) => new(
        Requests: reader.GetInt64(first),
        Executions: reader.GetInt64(first + 1),
        TokensIn: reader.GetInt64(first + 2),
        TokensOut: reader.GetInt64(first + 3),
        CostUsd: FromNanos(reader.GetInt64(first + 4)),
        EstimatedCostUsd: FromNanos(reader.GetInt64(first + 5)),
        CachedRequests: reader.GetInt64(first + 6));
}
