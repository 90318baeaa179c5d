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
/// <param name="Alerts">Budget alerts the tenants fired (as their grains keep them), newest first, with their deliveries.</param>
public sealed record DashboardOverview(DateTimeOffset AsOf, IReadOnlyList<TenantView> Tenants, IReadOnlyList<AlertView> Alerts)
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
        var reads = await Task.WhenAll(snapshot.Tenants.Select(t => ReadTenantAsync(snapshot, t, grains, refusals)));
        return new DashboardOverview(
            time.GetUtcNow(),
            [.. reads.Select(r => r.View).OrderByDescending(t => t.HighestPercentUsed).ThenBy(t => t.Slug, StringComparer.Ordinal)],
            [.. reads.SelectMany(r => r.Alerts).OrderByDescending(a => a.FiredAt).ThenBy(a => a.Key, StringComparer.Ordinal)]);
    }

    private static async Task<(TenantView View, IReadOnlyList<AlertView> Alerts)> ReadTenantAsync(TenantRegistry registry, TenantDefinition tenant, IGrainFactory grains, RecentRefusals refusals)
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
            var alertsTask = grain.GetAlertsAsync();
            var status = await statusTask;
            var rules = registry.GetBudgetRules(tenant.Slug, (await overrideTask)?.ToDomain());
            var limits = status.Limits.Select(limit => LimitView.Of(limit, rules.AlertThresholdsOf(limit.Workspace))).ToArray();
            var highest = limits.Length == 0 ? 0m : limits.Max(l => l.Usage.PercentUsed);
            var alerts = (await alertsTask).Select(a => AlertView.Of(tenant.Slug, a)).ToArray();
            return (view with
            {
                Enforcement = status.Enforcement,
                MaxPerRequestUsd = status.MaxPerRequestUsd,
                OpenReservations = status.OpenReservations,
                HeldCovers = status.HeldCovers,
                Limits = limits,
                HighestPercentUsed = highest,
                Level = BudgetLevels.Of(highest),
            }, alerts);
        }
#pragma warning disable CA1031 // One tenant whose grain or storage fails must not hide the others.
        catch (Exception error)
#pragma warning restore CA1031
        {
            return (view with { Error = $"The budget of '{tenant.Slug}' could not be read: {error.Message}" }, []);
        }
    }

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

/// <summary>A budget alert a tenant fired, with its delivery to each webhook (addresses redacted).</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Key">The idempotency key receivers got.</param>
/// <param name="Workspace">The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</param>
/// <param name="Limit">The limit, e.g. <c>daily_cap_usd</c>.</param>
/// <param name="PeriodKey">The tenant-local period (<c>yyyyMMdd</c> or <c>yyyyMM</c>).</param>
/// <param name="ThresholdPercent">The threshold crossed.</param>
/// <param name="PercentUsed">Spent plus reserved, in percent of the limit, when it fired.</param>
/// <param name="FiredAt">When it fired.</param>
/// <param name="Deliveries">One per webhook: pending, delivered or failed.</param>
public sealed record AlertView(
    string Tenant, string Key, string? Workspace, string Limit, int PeriodKey, decimal ThresholdPercent, decimal PercentUsed,
    DateTimeOffset FiredAt, IReadOnlyList<Wire.AlertDeliveryView> Deliveries)
{
    /// <summary>The view of <paramref name="alert"/>, fired by <paramref name="tenant"/>.</summary>
    public static AlertView Of(string tenant, Wire.FiredAlertView alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new AlertView(tenant, alert.Key, alert.Workspace, alert.Limit, alert.PeriodKey, alert.ThresholdPercent, alert.PercentUsed, alert.FiredAt, alert.Deliveries);
    }
}
