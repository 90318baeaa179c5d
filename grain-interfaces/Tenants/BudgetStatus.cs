namespace OrleansTenancy.GrainInterfaces;

/// <summary>A tenant's budget at one instant: every configured limit with its usage.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.BudgetStatus")]
public sealed record BudgetStatus
{
    /// <summary>The instant the figures are for.</summary>
    [Id(0)]
    public DateTimeOffset AsOf { get; init; }

    /// <summary>The IANA or Windows id of the tenant's time zone that periods are aligned to.</summary>
    [Id(1)]
    public required string TimeZoneId { get; init; }

    /// <summary>The tenant's effective enforcement.</summary>
    [Id(2)]
    public Enforcement Enforcement { get; init; }

    /// <summary>The per-request cap in USD, when set.</summary>
    [Id(3)]
    public decimal? MaxPerRequestUsd { get; init; }

    /// <summary>Number of open reservations.</summary>
    [Id(4)]
    public int OpenReservations { get; init; }

    /// <summary>
    /// Covers held after an unclean stop: budget kept for calls that may have been in flight, until it expires
    /// (included in every limit's reserved amount).
    /// </summary>
    [Id(5)]
    public int HeldCovers { get; init; }

    /// <summary>One entry per configured period limit, tenant-wide first, then workspace sub-caps.</summary>
    [Id(6)]
    public IReadOnlyList<LimitStatus> Limits { get; init; } = [];
}

/// <summary>One period limit with its usage.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.LimitStatus")]
public sealed record LimitStatus
{
    /// <summary>The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</summary>
    [Id(0)]
    public string? Workspace { get; init; }

    /// <summary>What the limit measures.</summary>
    [Id(1)]
    public BudgetMetric Metric { get; init; }

    /// <summary>The limit's window.</summary>
    [Id(2)]
    public BudgetPeriod Period { get; init; }

    /// <summary>The configured limit.</summary>
    [Id(3)]
    public decimal Limit { get; init; }

    /// <summary>Settled usage in the current period.</summary>
    [Id(4)]
    public decimal Spent { get; init; }

    /// <summary>Usage held by open reservations in the current period.</summary>
    [Id(5)]
    public decimal Reserved { get; init; }

    /// <summary><c>Limit − Spent − Reserved</c>, never negative.</summary>
    [Id(6)]
    public decimal Remaining { get; init; }

    /// <summary><c>(Spent + Reserved) / Limit × 100</c>; may exceed 100 under soft enforcement.</summary>
    [Id(7)]
    public decimal PercentUsed { get; init; }

    /// <summary>When the current period started.</summary>
    [Id(8)]
    public DateTimeOffset PeriodStart { get; init; }

    /// <summary>When the current period resets.</summary>
    [Id(9)]
    public DateTimeOffset ResetsAt { get; init; }

    /// <summary>Settled usage projected linearly to the period end: <c>Spent / elapsed × period length</c>.</summary>
    [Id(10)]
    public decimal ForecastAtPeriodEnd { get; init; }

    /// <summary>The limit's <c>budgets.yaml</c> name (<c>daily_cap_usd</c>, <c>monthly_tokens</c>, …), as refusals name it.</summary>
    [Id(11)]
    public string Name { get; init; } = "";
}
