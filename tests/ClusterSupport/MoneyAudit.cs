using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>What a <see cref="MoneyAudit"/> found; every list empty means the money is intact.</summary>
/// <param name="Acknowledged">Calls answered 200.</param>
/// <param name="LedgerRows">Rows in the usage ledger.</param>
/// <param name="Missing">Acknowledged calls without their row in the ledger.</param>
/// <param name="CostsDiffering">Acknowledged calls whose row holds another cost than the answer reported.</param>
/// <param name="CapsExceeded">Tenants whose ledger passes a hard daily cap.</param>
/// <param name="CountersOff">Tenants whose budget counters differed from their ledger (reconcile found a change).</param>
public sealed record AuditReport(
    int Acknowledged,
    long LedgerRows,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> CostsDiffering,
    IReadOnlyList<string> CapsExceeded,
    IReadOnlyList<string> CountersOff)
{
    /// <summary>Whether nothing was found.</summary>
    public bool Intact => Missing.Count == 0 && CostsDiffering.Count == 0 && CapsExceeded.Count == 0 && CountersOff.Count == 0;

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Acknowledged} acknowledged calls, {LedgerRows} ledger rows; missing from the ledger {Missing.Count}, cost differing {CostsDiffering.Count}, " +
        $"hard caps exceeded {CapsExceeded.Count}, tenants whose counters differ from the ledger {CountersOff.Count}") +
        string.Concat(Missing.Concat(CostsDiffering).Concat(CapsExceeded).Concat(CountersOff).Take(10).Select(line => Environment.NewLine + "  " + line));
}

/// <summary>
/// Checks the money after a fault, from outside: every call the cluster acknowledged has its row in the usage ledger
/// with the cost the caller was told, no tenant's ledger passes a hard daily cap, and every tenant's budget counters
/// equal its ledger (the reconcile endpoint finds nothing to change).
/// </summary>
public static class MoneyAudit
{
    /// <summary>
    /// Audits the calls in <paramref name="records"/>. Settlements complete behind their answers and a tenant grain sends
    /// its ledger rows behind its state, so rows are waited for (each round asks every tenant's usage through
    /// <paramref name="silo"/>, which flushes the tenant grain's rows and activates it again where its silo died) until
    /// none is missing or <paramref name="patience"/> has passed.
    /// </summary>
    public static async Task<AuditReport> RunAsync(LocalCluster cluster, Uri silo, IReadOnlyList<LoadTenant> tenants, IEnumerable<CallRecord> records, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(tenants);
        var acknowledged = records.Where(r => r.Status == 200).ToDictionary(r => (r.Tenant, r.RequestId));
        using var http = new HttpClient { BaseAddress = silo, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        await using var database = NpgsqlDataSource.Create(cluster.PostgresConnectionString);

        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        Dictionary<(string Tenant, string RequestId), decimal> rows;
        while (true)
        {
            await Task.WhenAll(tenants.Select(t => FlushAsync(http, t.Slug)));
            rows = await LedgerAsync(database);
            if (acknowledged.Keys.All(rows.ContainsKey) || Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        var missing = acknowledged.Values.Where(r => !rows.ContainsKey((r.Tenant, r.RequestId)))
            .Select(r => $"{r.Tenant} {r.RequestId}: answered 200 by silo {r.Silo}, no ledger row").ToList();
        var differing = acknowledged.Values.Where(r => rows.TryGetValue((r.Tenant, r.RequestId), out var cost) && cost != r.CostUsd)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Tenant} {r.RequestId}: answered cost {r.CostUsd}, ledger {rows[(r.Tenant, r.RequestId)]}"))
            .ToList();
        var exceeded = await CapsExceededAsync(database, tenants);
        var countersOff = new List<string>();
        foreach (var tenant in tenants)
        {
            if (await ReconcileChangeAsync(http, tenant.Slug) is { } change)
            {
                countersOff.Add($"{tenant.Slug}: {change}");
            }
        }

        return new AuditReport(acknowledged.Count, rows.Count, missing, differing, exceeded, countersOff);
    }

    private static async Task FlushAsync(HttpClient http, string tenant)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"admin/tenants/{tenant}/usage?period=this_month", UriKind.Relative));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The next round asks again; a tenant whose rows never arrive is reported as missing.
        }
    }

    private static async Task<Dictionary<(string, string), decimal>> LedgerAsync(NpgsqlDataSource database)
    {
        var rows = new Dictionary<(string, string), decimal>();
        await using var command = database.CreateCommand("SELECT tenant, request_id, cost_usd FROM usage_ledger");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[(reader.GetString(0), reader.GetString(1))] = reader.GetDecimal(2);
        }

        return rows;
    }

    private static async Task<List<string>> CapsExceededAsync(NpgsqlDataSource database, IReadOnlyList<LoadTenant> tenants)
    {
        var exceeded = new List<string>();
        await using var command = database.CreateCommand("""
            SELECT tenant, (created_at AT TIME ZONE 'UTC')::date AS day, SUM(cost_usd),
                   COUNT(*) FILTER (WHERE status IN ('ok', 'cancelled', 'incomplete'))
            FROM usage_ledger GROUP BY tenant, day
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var caps = tenants.ToDictionary(t => t.Slug);
        while (await reader.ReadAsync())
        {
            if (!caps.TryGetValue(reader.GetString(0), out var tenant))
            {
                continue;
            }

            var (day, cost, executions) = (reader.GetDateTime(1), reader.GetDecimal(2), reader.GetInt64(3));
            if (cost > tenant.DailyCapUsd || executions > tenant.DailyExecutions)
            {
                exceeded.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{tenant.Slug} on {day:yyyy-MM-dd}: spent ${cost} in {executions} calls against caps of ${tenant.DailyCapUsd} and {tenant.DailyExecutions} calls"));
            }
        }

        return exceeded;
    }

    /// <summary>The counters reconcile changed, described; <see langword="null"/> when none differed from the ledger.</summary>
    private static async Task<string?> ReconcileChangeAsync(HttpClient http, string tenant)
    {
        using var response = await http.PostAsync(new Uri($"admin/tenants/{tenant}/reconcile", UriKind.Relative), content: null);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return $"reconcile answered {(int)response.StatusCode}: {body}";
        }

        using var json = JsonDocument.Parse(body);
        var changed = json.RootElement.GetProperty("counters").EnumerateArray().Where(c => c.GetProperty("changed").GetBoolean()).ToList();
        return changed.Count == 0 ? null : string.Join("; ", changed.Select(c => c.GetRawText()));
    }
}
