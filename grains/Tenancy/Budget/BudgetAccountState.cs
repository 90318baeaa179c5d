using System.Text.Json.Serialization;

namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The persisted budget state of one tenant: counters per period, open reservations and recently finished request
/// ids. A plain serializable object (System.Text.Json round-trips it exactly, decimals included); the logic lives in
/// <see cref="BudgetAccount"/>.
/// </summary>
public sealed class BudgetAccountState
{
    /// <summary>The id of the time zone periods were last computed in (informational; the rules passed in decide).</summary>
    public string TimeZoneId { get; set; } = "UTC";

    /// <summary>Tenant-wide counters.</summary>
    public UsageCounters Tenant { get; set; } = new();

    /// <summary>Counters per workspace, for workspace sub-caps and status.</summary>
    public Dictionary<string, UsageCounters> Workspaces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Open reservations by request id.</summary>
    public Dictionary<string, Reservation> Reservations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Recently settled, released or expired request ids, oldest first; bounded by count and age. Only the expired ones
    /// are persisted (<see cref="ExpiredUnsettled"/>): persisting thousands of finished ids would make every state write
    /// of a busy tenant rewrite them all. After a reactivation, the usage ledger's unique request id answers whether a
    /// request was already settled.
    /// </summary>
    [JsonIgnore]
    public List<FinishedRequest> RecentlyFinished { get; set; } = [];

    /// <summary>The persisted part of <see cref="RecentlyFinished"/>: reservations that expired and may still be settled late.</summary>
    /// <remarks>Read on every state write: when nothing expired (the usual case) it costs nothing instead of a scan of
    /// up to <see cref="BudgetAccountOptions.RecentRequestCapacity"/> finished ids.</remarks>
    [JsonPropertyName("expiredUnsettled")]
    public List<FinishedRequest> ExpiredUnsettled
    {
        get => ExpiredCount == 0 ? [] : RecentlyFinished.FindAll(f => f.Kind == FinishKind.Expired);
        set
        {
            foreach (var finished in value ?? [])
            {
                RecentlyFinished.Add(finished);
                ExpiredCount += finished.Kind == FinishKind.Expired ? 1 : 0;
            }
        }
    }

    /// <summary>How many entries of <see cref="RecentlyFinished"/> are <see cref="FinishKind.Expired"/>; kept by <see cref="BudgetAccount"/>.</summary>
    [JsonIgnore]
    internal int ExpiredCount { get; set; }

    /// <summary>
    /// A copy of the persisted part that later changes to this state do not reach: what one storage write serialises
    /// while the account goes on deciding. Of <see cref="RecentlyFinished"/> it holds the expired entries only, as
    /// storage does.
    /// </summary>
    public BudgetAccountState Copy() => new()
    {
        TimeZoneId = TimeZoneId,
        Tenant = Tenant.Copy(),
        Workspaces = Workspaces.ToDictionary(p => p.Key, p => p.Value.Copy(), StringComparer.Ordinal),
        Reservations = new Dictionary<string, Reservation>(Reservations, StringComparer.Ordinal),
        ExpiredUnsettled = ExpiredCount == 0 ? [] : RecentlyFinished.FindAll(f => f.Kind == FinishKind.Expired).ConvertAll(f => f.Copy()),
    };
}

/// <summary>The day and month counters of one scope (the tenant or one workspace).</summary>
public sealed class UsageCounters
{
    /// <summary>The counter of the latest day that saw usage.</summary>
    public PeriodUsage Day { get; set; } = new();

    /// <summary>The counter of the latest month that saw usage.</summary>
    public PeriodUsage Month { get; set; } = new();

    internal UsageCounters Copy() => new() { Day = Day.Copy(), Month = Month.Copy() };
}

/// <summary>
/// Usage in one period. A counter keeps its period key; when the current key is newer the counter reads as zero and
/// is reset on the next write (lazy rollover), so no timer is needed at midnight.
/// </summary>
public sealed class PeriodUsage
{
    /// <summary>The period key (<c>yyyyMMdd</c> or <c>yyyyMM</c>); 0 before first use.</summary>
    public int Key { get; set; }

    /// <summary>Settled cost in USD.</summary>
    public decimal SpentUsd { get; set; }

    /// <summary>Settled tokens.</summary>
    public long SpentTokens { get; set; }

    /// <summary>Settled executions.</summary>
    public long SpentExecutions { get; set; }

    /// <summary>Cost in USD held by open reservations made in this period.</summary>
    public decimal ReservedUsd { get; set; }

    /// <summary>Tokens held by open reservations made in this period.</summary>
    public long ReservedTokens { get; set; }

    /// <summary>Executions held by open reservations made in this period.</summary>
    public long ReservedExecutions { get; set; }

    /// <summary>The highest cost threshold (percent) already alerted in this period; it makes each threshold fire once.</summary>
    public decimal CostAlertedPercent { get; set; }

    /// <summary>The highest token threshold already alerted in this period.</summary>
    public decimal TokensAlertedPercent { get; set; }

    /// <summary>The highest execution threshold already alerted in this period.</summary>
    public decimal ExecutionsAlertedPercent { get; set; }

    internal PeriodUsage Copy() => (PeriodUsage)MemberwiseClone();
}

/// <summary>How a request id finished.</summary>
public enum FinishKind
{
    /// <summary>Settled with actual usage.</summary>
    Settled = 0,

    /// <summary>Released without usage.</summary>
    Released = 1,

    /// <summary>Expired after its TTL; a late settle still records its usage.</summary>
    Expired = 2,
}

/// <summary>A recently finished request id, remembered so a retried settle or release changes nothing.</summary>
public sealed class FinishedRequest
{
    /// <summary>The request id.</summary>
    public string RequestId { get; set; } = string.Empty;

    /// <summary>How it finished.</summary>
    public FinishKind Kind { get; set; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset FinishedAt { get; set; }

    /// <summary>The workspace of its reservation.</summary>
    public string Workspace { get; set; } = string.Empty;

    /// <summary>The day key of its reservation (where a late settle of an expired reservation lands).</summary>
    public int DayKey { get; set; }

    /// <summary>The month key of its reservation.</summary>
    public int MonthKey { get; set; }

    /// <summary>
    /// For an expired reservation, the reservation itself: a late settle still needs its model, estimate and creation
    /// time (the usage row is dated by the reservation, not by the settle). Cleared once settled.
    /// </summary>
    public Reservation? Expired { get; set; }

    internal FinishedRequest Copy() => (FinishedRequest)MemberwiseClone();
}
