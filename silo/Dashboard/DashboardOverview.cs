using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// Every tenant's budget at one instant, the tenants nearest their caps first: what the dashboard's bars, alerts and
/// refusals are drawn from.
/// </summary>
/// <param name="AsOf">When the figures were read.</param>
/// <param name="Tenants">Tenants by highest share of a limit used, then by slug.</param>
/// <param name="Alerts">Alert thresholds reached in the current periods, the highest share first.</param>
public sealed record DashboardOverview(DateTimeOffset AsOf, IReadOnlyList<TenantView> Tenants, IReadOnlyList<ThresholdReached> Alerts)
{
    /// <summary>Reads every tenant's budget (tenants in parallel; one that cannot be read carries its error).</summary>
    /// <param name="registry">The tenants.</param>
    /// <param name="grains">The tenant grains.</param>
    /// <param name="refusals">This silo's budget refusals.</param>
    /// <param name="time">The clock.</param>
    public static async Task<DashboardOverview> ReadAsync(ITenantRegistrySource registry, IGrainFactory grains, RecentRefusals refusals, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(refusals);
        ArgumentNullException.ThrowIfNull(time);
        var snapshot = registry.Current;
        var tenants = await Task.WhenAll(snapshot.Tenants.Select(t => ReadTenantAsync(snapshot, t, grains, refusals)));
        return new DashboardOverview(
            time.GetUtcNow(),
            [.. tenants.OrderByDescending(t => t.HighestPercentUsed).ThenBy(t => t.Slug, StringComparer.Ordinal)],
            [.. tenants.SelectMany(ThresholdsReached).OrderByDescending(a => a.PercentUsed).ThenBy(a => a.Tenant, StringComparer.Ordinal)]);
    }

    private static async Task<TenantView> ReadTenantAsync(TenantRegistry registry, TenantDefinition tenant, IGrainFactory grains, RecentRefusals refusals)
    {
        var view = new TenantView
        {
            Slug = tenant.Slug,
            DisplayName = tenant.DisplayName,
            Status = tenant.Status.ToString().ToLowerInvariant(),
            Timezone = tenant.TimeZone.Id,
            Refusals = refusals.Of(tenant.Slug),
        };
        try
        {
            var grain = grains.GetGrain<Wire.ITenantGrain>(tenant.Slug);
            var statusTask = grain.GetStatusAsync();
            var overrideTask = grain.GetBudgetOverrideAsync();
            var status = await statusTask;
            var tenantLimits = BudgetLimitsMerge.Overlay((await overrideTask)?.ToDomain(), registry.GetEffectiveLimits(tenant.Slug));
            var limits = status.Limits.Select(limit => LimitView.Of(limit, ThresholdsOf(registry, tenant, limit.Workspace, tenantLimits))).ToArray();
            var highest = limits.Length == 0 ? 0m : limits.Max(l => l.Usage.PercentUsed);
            return view with
            {
                Enforcement = status.Enforcement,
                MaxPerRequestUsd = status.MaxPerRequestUsd,
                OpenReservations = status.OpenReservations,
                HeldCovers = status.HeldCovers,
                Limits = limits,
                HighestPercentUsed = highest,
                Level = BudgetLevels.Of(highest),
            };
        }
#pragma warning disable CA1031 // One tenant whose grain or storage fails must not hide the others.
        catch (Exception error)
#pragma warning restore CA1031
        {
            return view with { Error = $"The budget of '{tenant.Slug}' could not be read: {error.Message}" };
        }
    }

    /// <summary>The alert thresholds of a limit, as the tenant grain applies them (the workspace's own, else the tenant's).</summary>
    private static IReadOnlyList<decimal> ThresholdsOf(TenantRegistry registry, TenantDefinition tenant, string? workspace, BudgetLimits tenantLimits)
    {
        var own = workspace is not null && tenant.Workspaces.ContainsKey(workspace) ? registry.GetEffectiveLimits(tenant.Slug, workspace) : null;
        return (tenantLimits.Enforcement ?? TenantRegistry.DefaultEnforcement) == Enforcement.None
            ? []
            : own?.AlertThresholds ?? tenantLimits.AlertThresholds ?? TenantRegistry.DefaultAlertThresholds;
    }

    private static IEnumerable<ThresholdReached> ThresholdsReached(TenantView tenant) =>
        tenant.Limits.Where(l => l.ThresholdsReached.Count > 0).Select(l => new ThresholdReached(
            tenant.Slug, l.Usage.Workspace, l.Usage.Metric, l.Usage.Period, l.ThresholdsReached.Max(), l.Usage.PercentUsed, l.Usage.PeriodStart));
}

/// <summary>One tenant on the dashboard.</summary>
public sealed record TenantView
{
    /// <summary>The tenant slug.</summary>
    public required string Slug { get; init; }

    /// <summary>Its human name.</summary>
    public required string DisplayName { get; init; }

    /// <summary><c>active</c> or <c>suspended</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The time zone its days and months follow.</summary>
    public required string Timezone { get; init; }

    /// <summary>Its effective enforcement.</summary>
    public Wire.Enforcement Enforcement { get; init; }

    /// <summary>The per-request cap in USD, when set.</summary>
    public decimal? MaxPerRequestUsd { get; init; }

    /// <summary>Calls in flight holding budget.</summary>
    public int OpenReservations { get; init; }

    /// <summary>Budget held after an unclean stop until it expires.</summary>
    public int HeldCovers { get; init; }

    /// <summary>The largest share of any of its limits used, in percent.</summary>
    public decimal HighestPercentUsed { get; init; }

    /// <summary>The level of its fullest limit.</summary>
    public BudgetLevel Level { get; init; }

    /// <summary>Every period limit, tenant-wide first, then workspace sub-caps.</summary>
    public IReadOnlyList<LimitView> Limits { get; init; } = [];

    /// <summary>Budget refusals this silo made for the tenant since it started, most recent first.</summary>
    public IReadOnlyList<RefusalCount> Refusals { get; init; } = [];

    /// <summary>Why the budget could not be read, when it could not.</summary>
    public string? Error { get; init; }
}

/// <summary>One period limit with its level and the alert thresholds its use has reached.</summary>
/// <param name="Usage">Spent, reserved, remaining, percent used, period and reset time, as the tenant grain reports them.</param>
/// <param name="Level">How close it is to its cap.</param>
/// <param name="ThresholdsReached">The configured alert thresholds (percent) at or below its use, in ascending order.</param>
public sealed record LimitView(Wire.LimitStatus Usage, BudgetLevel Level, IReadOnlyList<decimal> ThresholdsReached)
{
    /// <summary>The view of <paramref name="usage"/> under <paramref name="thresholds"/>.</summary>
    public static LimitView Of(Wire.LimitStatus usage, IReadOnlyList<decimal> thresholds)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(thresholds);
        return new LimitView(usage, BudgetLevels.Of(usage.PercentUsed), [.. thresholds.Where(t => t <= usage.PercentUsed).Order()]);
    }
}

/// <summary>The highest alert threshold a limit's use has reached in its current period.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Workspace">The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</param>
/// <param name="Metric">What the limit measures.</param>
/// <param name="Period">The limit's window.</param>
/// <param name="ThresholdPercent">The threshold, in percent.</param>
/// <param name="PercentUsed">The share used now, in percent.</param>
/// <param name="PeriodStart">When the period began.</param>
public sealed record ThresholdReached(string Tenant, string? Workspace, Wire.BudgetMetric Metric, Wire.BudgetPeriod Period, decimal ThresholdPercent, decimal PercentUsed, DateTimeOffset PeriodStart);
