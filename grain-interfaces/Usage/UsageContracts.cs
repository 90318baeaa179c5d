namespace OrleansTenancy.GrainInterfaces;

/// <summary>The reporting periods of a usage query, in the tenant's calendar.</summary>
[GenerateSerializer, Alias("OrleansTenancy.UsagePeriodKind")]
public enum UsagePeriodKind
{
    /// <summary>The current local day.</summary>
    Today = 0,

    /// <summary>The previous local day.</summary>
    Yesterday = 1,

    /// <summary>The current ISO week (Monday first) up to today.</summary>
    ThisWeek = 2,

    /// <summary>The current calendar month up to today.</summary>
    ThisMonth = 3,

    /// <summary>An explicit range of local dates, both ends included (<see cref="UsageQuery.From"/>, <see cref="UsageQuery.To"/>).</summary>
    Range = 4,
}

/// <summary>Which usage to report: a period of the tenant's calendar (its time zone, default UTC).</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.UsageQuery")]
public sealed record UsageQuery
{
    /// <summary>The kind of period. Defaults to <see cref="UsagePeriodKind.Today"/>.</summary>
    [Id(0)]
    public UsagePeriodKind Period { get; init; } = UsagePeriodKind.Today;

    /// <summary>The first local date of a <see cref="UsagePeriodKind.Range"/>.</summary>
    [Id(1)]
    public DateOnly? From { get; init; }

    /// <summary>The last local date (included) of a <see cref="UsagePeriodKind.Range"/>.</summary>
    [Id(2)]
    public DateOnly? To { get; init; }

    /// <summary>The current local day.</summary>
    public static UsageQuery Today { get; } = new() { Period = UsagePeriodKind.Today };

    /// <summary>The previous local day.</summary>
    public static UsageQuery Yesterday { get; } = new() { Period = UsagePeriodKind.Yesterday };

    /// <summary>The current ISO week up to today.</summary>
    public static UsageQuery ThisWeek { get; } = new() { Period = UsagePeriodKind.ThisWeek };

    /// <summary>The current calendar month up to today.</summary>
    public static UsageQuery ThisMonth { get; } = new() { Period = UsagePeriodKind.ThisMonth };

    /// <summary>The local dates <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public static UsageQuery Range(DateOnly from, DateOnly to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        return new() { Period = UsagePeriodKind.Range, From = from, To = to };
    }
}

/// <summary>Sums over a set of usage ledger rows.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.UsageTotals")]
public sealed record UsageTotals
{
    /// <summary>Every recorded request outcome (the ledger holds one row per request id).</summary>
    [Id(0)]
    public long Requests { get; init; }

    /// <summary>Rows of requests that ran and were settled (ok, cancelled or incomplete), as budgets count executions.</summary>
    [Id(1)]
    public long Executions { get; init; }

    /// <summary>Prompt tokens.</summary>
    [Id(2)]
    public long TokensIn { get; init; }

    /// <summary>Completion tokens.</summary>
    [Id(3)]
    public long TokensOut { get; init; }

    /// <summary>Settled cost in USD.</summary>
    [Id(4)]
    public decimal CostUsd { get; init; }

    /// <summary>Reserved (worst-case) cost in USD.</summary>
    [Id(5)]
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Rows answered from the response cache.</summary>
    [Id(6)]
    public long CachedRequests { get; init; }

    /// <summary>Prompt plus completion tokens.</summary>
    public long Tokens => TokensIn + TokensOut;
}

/// <summary>Usage of one model or one workspace.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.UsageBreakdown")]
public sealed record UsageBreakdown
{
    /// <summary>The model id or the workspace key.</summary>
    [Id(0)]
    public required string Key { get; init; }

    /// <summary>Its sums.</summary>
    [Id(1)]
    public required UsageTotals Totals { get; init; }
}

/// <summary>Usage of one local day.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.DailyUsage")]
public sealed record DailyUsage
{
    /// <summary>The local date.</summary>
    [Id(0)]
    public DateOnly Date { get; init; }

    /// <summary>The instant the day starts (inclusive).</summary>
    [Id(1)]
    public DateTimeOffset FromUtc { get; init; }

    /// <summary>The instant the next day starts (exclusive).</summary>
    [Id(2)]
    public DateTimeOffset ToUtc { get; init; }

    /// <summary>Its sums.</summary>
    [Id(3)]
    public required UsageTotals Totals { get; init; }
}

/// <summary>The local dates and UTC instants a usage query resolved to.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.UsageWindow")]
public sealed record UsageWindow
{
    /// <summary>The kind of period asked for.</summary>
    [Id(0)]
    public UsagePeriodKind Kind { get; init; }

    /// <summary>The tenant's time zone id the dates are in.</summary>
    [Id(1)]
    public required string TimeZone { get; init; }

    /// <summary>The first local date.</summary>
    [Id(2)]
    public DateOnly FirstDate { get; init; }

    /// <summary>The last local date (included).</summary>
    [Id(3)]
    public DateOnly LastDate { get; init; }

    /// <summary>The start of <see cref="FirstDate"/> (inclusive).</summary>
    [Id(4)]
    public DateTimeOffset FromUtc { get; init; }

    /// <summary>The start of the day after <see cref="LastDate"/> (exclusive).</summary>
    [Id(5)]
    public DateTimeOffset ToUtc { get; init; }
}

/// <summary>A tenant's usage over a period, from the usage ledger, with breakdowns.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.UsageReport")]
public sealed record UsageReport
{
    /// <summary>The tenant slug.</summary>
    [Id(0)]
    public required string Tenant { get; init; }

    /// <summary>What the period resolved to.</summary>
    [Id(1)]
    public required UsageWindow Window { get; init; }

    /// <summary>Sums over the whole period.</summary>
    [Id(2)]
    public required UsageTotals Totals { get; init; }

    /// <summary>Per model, largest cost first.</summary>
    [Id(3)]
    public IReadOnlyList<UsageBreakdown> ByModel { get; init; } = [];

    /// <summary>Per workspace, largest cost first.</summary>
    [Id(4)]
    public IReadOnlyList<UsageBreakdown> ByWorkspace { get; init; } = [];

    /// <summary>Every local day of the period in order, including days without usage.</summary>
    [Id(5)]
    public IReadOnlyList<DailyUsage> ByDay { get; init; } = [];
}

/// <summary>Which executions to list: one page, newest first.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ExecutionQuery")]
public sealed record ExecutionQuery
{
    /// <summary>The default <see cref="PageSize"/>.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 200;

    /// <summary>How many rows: 1 to <see cref="MaxPageSize"/>. Defaults to <see cref="DefaultPageSize"/>.</summary>
    [Id(0)]
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The <see cref="ExecutionPage.NextCursor"/> of the previous page; absent for the first page.</summary>
    [Id(1)]
    public string? Cursor { get; init; }

    /// <summary>Only this workspace's rows, when set.</summary>
    [Id(2)]
    public string? Workspace { get; init; }
}

/// <summary>One request outcome, as the usage ledger holds it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ExecutionRecord")]
public sealed record ExecutionRecord
{
    /// <summary>The request id.</summary>
    [Id(0)]
    public required string RequestId { get; init; }

    /// <summary>The workspace.</summary>
    [Id(1)]
    public required string Workspace { get; init; }

    /// <summary>The calling agent, when known.</summary>
    [Id(2)]
    public string? Agent { get; init; }

    /// <summary>The task the model was chosen for, when known.</summary>
    [Id(3)]
    public string? Task { get; init; }

    /// <summary>The model that ran (or was asked for).</summary>
    [Id(4)]
    public required string Model { get; init; }

    /// <summary>The upstream provider, when known.</summary>
    [Id(5)]
    public string? Provider { get; init; }

    /// <summary>Prompt tokens.</summary>
    [Id(6)]
    public long TokensIn { get; init; }

    /// <summary>Completion tokens.</summary>
    [Id(7)]
    public long TokensOut { get; init; }

    /// <summary>Settled cost in USD.</summary>
    [Id(8)]
    public decimal CostUsd { get; init; }

    /// <summary>Reserved (worst-case) cost in USD.</summary>
    [Id(9)]
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>End-to-end latency in milliseconds.</summary>
    [Id(10)]
    public long LatencyMs { get; init; }

    /// <summary>The outcome: <c>ok</c>, <c>error</c>, <c>cancelled</c>, <c>incomplete</c> or <c>denied</c>.</summary>
    [Id(11)]
    public required string Status { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    [Id(12)]
    public bool Cached { get; init; }

    /// <summary>When the request was made (its reservation time).</summary>
    [Id(13)]
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One page of executions, newest first.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ExecutionPage")]
public sealed record ExecutionPage
{
    /// <summary>The rows of this page.</summary>
    [Id(0)]
    public IReadOnlyList<ExecutionRecord> Items { get; init; } = [];

    /// <summary>Pass as <see cref="ExecutionQuery.Cursor"/> to continue; <see langword="null"/> on the last page.</summary>
    [Id(1)]
    public string? NextCursor { get; init; }
}
