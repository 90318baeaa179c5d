namespace OrleansTenancy.Ledger;

/// <summary>
/// The outcome of one request, as one ledger row. The request id is unique: recording the same id again changes
/// nothing, so retried settles never count twice, except that a charged row replaces an uncharged one (the retry of a
/// call that failed before any charge; see <see cref="UsageStatus"/>).
/// </summary>
/// <remarks>
/// Money is kept to nine decimal places (1e-9 USD, half-to-even) and time to the microsecond, identically
/// in every ledger store; <see cref="UsageLedgerValidation.Normalize"/> applies that before storing.
/// </remarks>
public sealed record UsageRecord
{
    /// <summary>The request id; unique across the ledger.</summary>
    public required string RequestId { get; init; }

    /// <summary>The tenant slug.</summary>
    public required string Tenant { get; init; }

    /// <summary>The workspace within the tenant.</summary>
    public required string Workspace { get; init; }

    /// <summary>The calling agent, when known.</summary>
    public string? Agent { get; init; }

    /// <summary>The task the model was chosen for, when known.</summary>
    public string? Task { get; init; }

    /// <summary>The model that ran (or was asked for, when the request was denied).</summary>
    public required string Model { get; init; }

    /// <summary>The upstream provider that served the request, when known.</summary>
    public string? Provider { get; init; }

    /// <summary>Prompt tokens.</summary>
    public long TokensIn { get; init; }

    /// <summary>Completion tokens.</summary>
    public long TokensOut { get; init; }

    /// <summary>The settled cost in USD.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>The worst-case cost reserved before the call, in USD.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>End-to-end latency in milliseconds.</summary>
    public long LatencyMs { get; init; }

    /// <summary>The outcome: see <see cref="UsageStatus"/> for the usual values.</summary>
    public required string Status { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    public bool Cached { get; init; }

    /// <summary>
    /// Why a refused request was refused (the limit, e.g. <c>daily_cap_usd</c>, or the refusal's code, e.g.
    /// <c>model_not_allowed</c>, <c>rate_limited</c>); <see langword="null"/> for requests that ran.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>When the request was made (its reservation time); periods are attributed by this instant.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The usual values of <see cref="UsageRecord.Status"/>.</summary>
/// <remarks>
/// A row is <em>charged</em> when its status is <see cref="Ok"/>, <see cref="Cancelled"/> or <see cref="Incomplete"/>:
/// the call ran and was settled, so it is an execution and its request id is finished. Any other row records an
/// outcome that charged nothing (released, refused); a later charged row of the same request id (its retry) replaces
/// it, never the reverse.
/// </remarks>
public static class UsageStatus
{
    /// <summary>Completed and settled.</summary>
    public const string Ok = "ok";

    /// <summary>Failed upstream or in the gateway.</summary>
    public const string Error = "error";

    /// <summary>Cancelled by the caller (what was consumed is still settled).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>
    /// Upstream failed after it may have charged (output had started, or the call timed out after it was sent); what
    /// was consumed is still settled.
    /// </summary>
    public const string Incomplete = "incomplete";

    /// <summary>Refused by the budget before any upstream call (HTTP 402); not an execution.</summary>
    public const string Denied = "denied";

    /// <summary>Refused by the tenant's policy before any upstream call (HTTP 403: a model not allowed, a suspended tenant); not an execution.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>Refused by the tenant's rate limit before any upstream call (HTTP 429); not an execution.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The charged statuses as a SQL list, for the stores' queries.</summary>
    internal const string ChargedSqlList = "'" + Ok + "', '" + Cancelled + "', '" + Incomplete + "'";

    /// <summary>Whether a row with <paramref name="status"/> is charged: an execution whose request id is finished.</summary>
    public static bool IsCharged(string? status) => status is Ok or Cancelled or Incomplete;
}
