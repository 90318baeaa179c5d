namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The effective budget configuration of one tenant, as the registry produces it: merged tenant limits, optional merged
/// per-workspace sub-caps and the tenant's time zone.
/// </summary>
/// <param name="Tenant">Tenant-wide limits; unset members are unlimited.</param>
/// <param name="TimeZone">The zone calendar periods are aligned to.</param>
/// <param name="Workspaces">Sub-caps by workspace key; a workspace without an entry has only the tenant limits.</param>
/// <param name="ReservationTtl">
/// The tenant's reservation TTL (registry <c>reservation_ttl_seconds</c>); <see langword="null"/> uses
/// <see cref="BudgetAccountOptions.ReservationTtl"/>. Carried here so a registry reload applies without rebuilding the account.
/// </param>
public sealed record BudgetRules(
    BudgetLimits Tenant,
    TimeZoneInfo TimeZone,
    IReadOnlyDictionary<string, BudgetLimits>? Workspaces = null,
    TimeSpan? ReservationTtl = null)
{
    /// <summary>Enforcement when the limits leave it unset: <see cref="OrleansTenancy.Tenancy.Enforcement.Soft"/> (track and alert, never deny).</summary>
    public const Enforcement DefaultEnforcement = OrleansTenancy.Tenancy.Enforcement.Soft;

    /// <summary>The tenant's effective enforcement.</summary>
    public Enforcement Enforcement => Tenant.Enforcement ?? DefaultEnforcement;

    /// <summary>The sub-caps of <paramref name="workspace"/>, or <see langword="null"/>.</summary>
    /// <param name="workspace">The workspace key.</param>
    /// <returns>The limits or <see langword="null"/>.</returns>
    public BudgetLimits? ForWorkspace(string workspace) =>
        Workspaces is not null && Workspaces.TryGetValue(workspace, out var limits) ? limits : null;

    /// <summary>Enforcement of a workspace's sub-caps: its own when set, else the tenant's.</summary>
    /// <param name="workspaceLimits">The workspace limits.</param>
    /// <returns>The enforcement.</returns>
    public Enforcement EnforcementOf(BudgetLimits workspaceLimits)
    {
        ArgumentNullException.ThrowIfNull(workspaceLimits);
        return workspaceLimits.Enforcement ?? Enforcement;
    }
}

/// <summary>Tuning of <see cref="BudgetAccount"/>.</summary>
public sealed class BudgetAccountOptions
{
    /// <summary>How long a reservation holds budget before it expires. Defaults to 5 minutes (registry <c>reservation_ttl_seconds</c>).</summary>
    public TimeSpan ReservationTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many finished request ids are remembered for idempotency. Defaults to 10,000.</summary>
    public int RecentRequestCapacity { get; init; } = 10_000;

    /// <summary>How long a finished request id is remembered. Defaults to 24 hours.</summary>
    public TimeSpan RecentRequestRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (ReservationTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReservationTtl), ReservationTtl, "BudgetAccountOptions.ReservationTtl must be positive (reservation_ttl_seconds > 0).");
        }

        if (RecentRequestCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentRequestCapacity), RecentRequestCapacity, "BudgetAccountOptions.RecentRequestCapacity must be at least 1.");
        }

        if (RecentRequestRetention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentRequestRetention), RecentRequestRetention, "BudgetAccountOptions.RecentRequestRetention must be positive.");
        }
    }
}
