using System.Globalization;

namespace OrleansTenancy.Tenancy.Alerts;

/// <summary>
/// One budget alert as people receive it: a threshold of one limit of one tenant (or workspace sub-cap) crossed in one
/// period. <see cref="Key"/> names exactly that, so a receiver that sees it twice (delivery is at least once) can drop
/// the repeat.
/// </summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Workspace">The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</param>
/// <param name="Limit">The limit's name as the tenant files spell it, e.g. <c>daily_cap_usd</c>.</param>
/// <param name="PeriodKey">The tenant-local period (<c>yyyyMMdd</c> for a day, <c>yyyyMM</c> for a month).</param>
/// <param name="ThresholdPercent">The threshold crossed, in percent of the limit.</param>
/// <param name="PercentUsed">Spent plus reserved, in percent of the limit, when it fired.</param>
/// <param name="LimitValue">The limit in force when it fired (USD, tokens or executions).</param>
/// <param name="FiredAt">When the tenant's budget crossed the threshold.</param>
public sealed record AlertNotice(
    string Tenant,
    string? Workspace,
    string Limit,
    int PeriodKey,
    decimal ThresholdPercent,
    decimal PercentUsed,
    decimal LimitValue,
    DateTimeOffset FiredAt)
{
    /// <summary>The idempotency key: <c>tenant/workspace-or-*/limit/period/threshold</c>, the same on every attempt and silo.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Tenant}/{Workspace ?? "*"}/{Limit}/{PeriodKey}/{ThresholdPercent:0.####}");

    /// <summary>One line for people: which tenant, which limit, how far.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"Budget alert: tenant {Tenant}{(Workspace is null ? "" : $" (workspace {Workspace})")} has used {PercentUsed:0.#}% of {Limit} = {LimitValue:0.######} in period {PeriodKey}, crossing the {ThresholdPercent:0.##}% threshold.");
}
