using OrleansTenancy.Tenancy.Rates;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The effective budget configuration of one tenant, as the registry produces it (<see cref="TenantRegistry.GetBudgetRules"/>):
/// merged tenant limits (the runtime override included), merged per-workspace sub-caps, the reservation TTL of each
/// workspace and the tenant's time zone.
/// </summary>
/// <param name="Tenant">Tenant-wide limits; unset members are unlimited.</param>
/// <param name="TimeZone">The zone calendar periods are aligned to.</param>
/// <param name="Workspaces">Sub-caps by workspace key; a workspace without an entry has only the tenant limits.</param>
/// <param name="ReservationTtl">
/// How long a reservation is held (<c>reservation_ttl_seconds</c> of the tenant, else the global default), for a
/// workspace without a TTL of its own; <see langword="null"/> means <see cref="EffectivePolicy.DefaultReservationTtl"/>.
/// Carried here, like the limits, so a registry reload applies without rebuilding the account.
/// </param>
/// <param name="WorkspaceReservationTtls">The reservation TTL of each workspace whose own policy sets one.</param>
/// <param name="Rate">The tenant's rate limits (<c>requests_per_minute</c>, <c>tokens_per_minute</c>, else the global defaults).</param>
/// <param name="WorkspaceRates">The rate limits of each workspace whose own policy sets one of them.</param>
public sealed record BudgetRules(
    BudgetLimits Tenant,
    TimeZoneInfo TimeZone,
    IReadOnlyDictionary<string, BudgetLimits>? Workspaces = null,
    TimeSpan? ReservationTtl = null,
    IReadOnlyDictionary<string, TimeSpan>? WorkspaceReservationTtls = null,
    RateLimits Rate = default,
    IReadOnlyDictionary<string, RateLimits>? WorkspaceRates = null)
{
    /// <summary>Enforcement when no level sets it: <see cref="OrleansTenancy.Tenancy.Enforcement.Soft"/> (track and alert, never deny).</summary>
    public const Enforcement DefaultEnforcement = OrleansTenancy.Tenancy.Enforcement.Soft;

    /// <summary>Alert thresholds when no level sets <c>alert_thresholds</c>: 50, 80 and 100 percent.</summary>
    public static readonly IReadOnlyList<decimal> DefaultAlertThresholds = [50m, 80m, 100m];

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

    /// <summary>
    /// The alert thresholds of the tenant-wide limits (<paramref name="workspace"/> <see langword="null"/>) or of a
    /// workspace's sub-caps (its own, else the tenant's); none where enforcement is <c>none</c>.
    /// </summary>
    /// <param name="workspace">A workspace with sub-caps, or <see langword="null"/> for the tenant.</param>
    /// <returns>The thresholds in percent.</returns>
    public IReadOnlyList<decimal> AlertThresholdsOf(string? workspace)
    {
        var own = workspace is null ? null : ForWorkspace(workspace);
        var enforcement = own is null ? Enforcement : EnforcementOf(own);
        return enforcement == OrleansTenancy.Tenancy.Enforcement.None ? [] : own?.AlertThresholds ?? Tenant.AlertThresholds ?? [];
    }

    /// <summary>How long a reservation of <paramref name="workspace"/> is held before it expires.</summary>
    /// <param name="workspace">The workspace key.</param>
    /// <returns>The workspace's TTL, else the tenant's, else <see cref="EffectivePolicy.DefaultReservationTtl"/>.</returns>
    public TimeSpan ReservationTtlOf(string workspace) =>
        WorkspaceReservationTtls is not null && WorkspaceReservationTtls.TryGetValue(workspace, out var ttl)
            ? ttl
            : ReservationTtl ?? EffectivePolicy.DefaultReservationTtl;

    /// <summary>
    /// The rate limits a call of <paramref name="workspace"/> is checked against: the workspace's own, else the tenant's.
    /// The count they are checked against is the tenant's, whatever the workspace.
    /// </summary>
    /// <param name="workspace">The workspace key.</param>
    /// <returns>The limits; <see cref="RateLimits.None"/> when none is set.</returns>
    public RateLimits RateOf(string workspace) =>
        WorkspaceRates is not null && WorkspaceRates.TryGetValue(workspace, out var rate) ? rate : Rate;

    /// <summary>
    /// The per-request cap a call of <paramref name="workspace"/> must fit: the lower of the tenant's and the
    /// workspace's <c>max_per_request</c>, or <see langword="null"/> when neither is set.
    /// </summary>
    /// <param name="workspace">The workspace key.</param>
    /// <returns>The cap in USD.</returns>
    public decimal? MaxPerRequestOf(string workspace) =>
        (Tenant.MaxPerRequest, ForWorkspace(workspace)?.MaxPerRequest) switch
        {
            ({ } tenant, { } own) => Math.Min(tenant, own),
            (var tenant, var own) => tenant ?? own,
        };
}

/// <summary>Tuning of <see cref="BudgetAccount"/>.</summary>
public sealed class BudgetAccountOptions
{
    /// <summary>How many finished request ids are remembered for idempotency. Defaults to 10,000.</summary>
    public int RecentRequestCapacity { get; init; } = 10_000;

    /// <summary>How long a finished request id is remembered. Defaults to 24 hours.</summary>
    public TimeSpan RecentRequestRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    public void Validate()
    {
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
