using Ledger = OrleansTenancy.Ledger;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Mapping;

/// <summary>Maps usage queries of the grain contract onto the usage ledger, and its reports back.</summary>
public static class UsageMapping
{
    /// <summary>The ledger's period for a query.</summary>
    /// <exception cref="ArgumentException">A range lacks a date or ends before it starts; the message names the field.</exception>
    public static Ledger.UsagePeriod ToLedger(this Wire.UsageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Period switch
        {
            Wire.UsagePeriodKind.Today => Ledger.UsagePeriod.Today,
            Wire.UsagePeriodKind.Yesterday => Ledger.UsagePeriod.Yesterday,
            Wire.UsagePeriodKind.ThisWeek => Ledger.UsagePeriod.ThisWeek,
            Wire.UsagePeriodKind.ThisMonth => Ledger.UsagePeriod.ThisMonth,
            Wire.UsagePeriodKind.Range when query is { From: { } from, To: { } to } => to >= from
                ? Ledger.UsagePeriod.Range(from, to)
                : throw new ArgumentException($"UsageQuery.To ({to:yyyy-MM-dd}) is before UsageQuery.From ({from:yyyy-MM-dd}).", nameof(query)),
            Wire.UsagePeriodKind.Range => throw new ArgumentException("A UsageQuery of Period Range needs both From and To.", nameof(query)),
            _ => throw new ArgumentException($"UsageQuery.Period {query.Period} is not a known period.", nameof(query)),
        };
    }

    /// <summary>A ledger report as the contract carries it.</summary>
    public static Wire.UsageReport ToWire(this Ledger.UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new Wire.UsageReport
        {
            Tenant = report.Tenant,
            Window = new Wire.UsageWindow
            {
                Kind = (Wire.UsagePeriodKind)report.Window.Kind,
                TimeZone = report.Window.TimeZone,
                FirstDate = report.Window.FirstDate,
                LastDate = report.Window.LastDate,
                FromUtc = report.Window.FromUtc,
                ToUtc = report.Window.ToUtc,
            },
            Totals = report.Totals.ToWire(),
            ByModel = [.. report.ByModel.Select(b => new Wire.UsageBreakdown { Key = b.Key, Totals = b.Totals.ToWire() })],
            ByWorkspace = [.. report.ByWorkspace.Select(b => new Wire.UsageBreakdown { Key = b.Key, Totals = b.Totals.ToWire() })],
            ByDay = [.. report.ByDay.Select(d => new Wire.DailyUsage { Date = d.Date, FromUtc = d.FromUtc, ToUtc = d.ToUtc, Totals = d.Totals.ToWire() })],
        };
    }

    /// <summary>Ledger sums as the contract carries them.</summary>
    public static Wire.UsageTotals ToWire(this Ledger.UsageTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new Wire.UsageTotals
        {
            Requests = totals.Requests,
            Executions = totals.Executions,
            TokensIn = totals.TokensIn,
            TokensOut = totals.TokensOut,
            CostUsd = totals.CostUsd,
            EstimatedCostUsd = totals.EstimatedCostUsd,
            CachedRequests = totals.CachedRequests,
        };
    }

    /// <summary>A page of ledger rows as the contract carries it.</summary>
    public static Wire.ExecutionPage ToWire(this Ledger.ExecutionPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new Wire.ExecutionPage
        {
            NextCursor = page.NextCursor,
            Items = [.. page.Items.Select(r => new Wire.ExecutionRecord
            {
                RequestId = r.RequestId,
                Workspace = r.Workspace,
                Agent = r.Agent,
                Task = r.Task,
                Model = r.Model,
                Provider = r.Provider,
                TokensIn = r.TokensIn,
                TokensOut = r.TokensOut,
                CostUsd = r.CostUsd,
                EstimatedCostUsd = r.EstimatedCostUsd,
                LatencyMs = r.LatencyMs,
                Status = r.Status,
                Cached = r.Cached,
                CreatedAt = r.CreatedAt,
            })],
        };
    }
}
