namespace OrleansTenancy.GrainInterfaces;

/// <summary>A budget alert a tenant's budget fired, with its delivery to each webhook (what the dashboard shows).</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.FiredAlertView")]
public sealed record FiredAlertView
{
    /// <summary>The idempotency key receivers get: <c>tenant/workspace-or-*/limit/period/threshold</c>.</summary>
    [Id(0)]
    public string Key { get; init; } = "";

    /// <summary>The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</summary>
    [Id(1)]
    public string? Workspace { get; init; }

    /// <summary>The limit's name, e.g. <c>daily_cap_usd</c>.</summary>
    [Id(2)]
    public string Limit { get; init; } = "";

    /// <summary>The tenant-local period (<c>yyyyMMdd</c> or <c>yyyyMM</c>).</summary>
    [Id(3)]
    public int PeriodKey { get; init; }

    /// <summary>The threshold crossed, in percent.</summary>
    [Id(4)]
    public decimal ThresholdPercent { get; init; }

    /// <summary>Spent plus reserved in percent of the limit when it fired.</summary>
    [Id(5)]
    public decimal PercentUsed { get; init; }

    /// <summary>When it fired.</summary>
    [Id(6)]
    public DateTimeOffset FiredAt { get; init; }

    /// <summary>One per webhook configured when it fired; empty when none was.</summary>
    [Id(7)]
    public IReadOnlyList<AlertDeliveryView> Deliveries { get; init; } = [];
}

/// <summary>The delivery of one alert to one webhook.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.AlertDeliveryView")]
public sealed record AlertDeliveryView
{
    /// <summary>The webhook's address with every token hidden.</summary>
    [Id(0)]
    public string Webhook { get; init; } = "";

    /// <summary><c>json</c>, <c>slack</c> or <c>discord</c>.</summary>
    [Id(1)]
    public string Format { get; init; } = "";

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c>.</summary>
    [Id(2)]
    public string Status { get; init; } = "";

    /// <summary>Attempts made.</summary>
    [Id(3)]
    public int Attempts { get; init; }

    /// <summary>When the last attempt ended.</summary>
    [Id(4)]
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the next attempt is due, while pending.</summary>
    [Id(5)]
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Why the last attempt failed (redacted).</summary>
    [Id(6)]
    public string? LastError { get; init; }
}
