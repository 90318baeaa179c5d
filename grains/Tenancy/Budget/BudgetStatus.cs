namespace OrleansTenancy.Tenancy;

/// <summary>A tenant's budget at one instant: every configured limit with its usage.</summary>
public sealed record BudgetStatus
{
    /// <summary>The instant the figures are for.</summary>
    public DateTimeOffset AsOf { get; init; }

    /// <summary>The IANA or Windows id of the tenant's time zone that periods are aligned to.</summary>
    public required string TimeZoneId { get; init; }

    /// <summary>The tenant's effective enforcement.</summary>
    public Enforcement Enforcement { get; init; }

    /// <summary>The per-request cap in USD, when set.</summary>
    public decimal? MaxPerRequestUsd { get; init; }

    /// <summary>Number of open reservations.</summary>
    public int OpenReservations { get; init; }

    /// <summary>
    /// Covers held after an unclean stop: budget kept for calls that may have been in flight, until it expires
    /// (included in every limit's reserved amount; see <see cref="Reservation.Cover"/>).
    /// </summary>
    public int HeldCovers { get; init; }

    /// <summary>One entry per configured period limit, tenant-wide first, then workspace sub-caps.</summary>
    public IReadOnlyList<LimitStatus> Limits { get; init; } = [];
}

/// <summary>One period limit with its usage.</summary>
public sealed record LimitStatus
{
    /// <summary>The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</summary>
    public string? Workspace { get; init; }

    /// <summary>What the limit measures.</summary>
    public BudgetMetric Metric { get; init; }

    /// <summary>The limit's window.</summary>
    public BudgetPeriod Period { get; init; }

    /// <summary>The configured limit.</summary>
    public decimal Limit { get; init; }

    /// <summary>Settled usage in the current period.</summary>
    public decimal Spent { get; init; }

    /// <summary>Usage held by open reservations in the current period.</summary>
    public decimal Reserved { get; init; }

    /// <summary><c>Limit − Spent − Reserved</c>, never negative.</summary>
    public decimal Remaining { get; init; }

    /// <summary><c>(Spent + Reserved) / Limit × 100</c>; may exceed 100 under soft enforcement.</summary>
    public decimal PercentUsed { get; init; }

    /// <summary>When the current period started.</summary>
    public DateTimeOffset PeriodStart { get; init; }

    /// <summary>When the current period resets.</summary>
    public DateTimeOffset ResetsAt { get; init; }

    /// <summary>Settled usage projected linearly to the period end: <c>Spent / elapsed × period length</c>.</summary>
    public decimal ForecastAtPeriodEnd { get; init; }
}
