using System.Text.Json.Serialization;

namespace OrleansTenancy.Tenancy;

/// <summary>A request to reserve the worst-case usage of one LLM call before it goes upstream.</summary>
public sealed record ReservationRequest
{
    /// <summary>The request id; reserve, settle and release are idempotent on it.</summary>
    public required string RequestId { get; init; }

    /// <summary>The workspace the call runs for.</summary>
    public required string Workspace { get; init; }

    /// <summary>The model the estimate was priced for.</summary>
    public required string Model { get; init; }

    /// <summary>Worst-case cost in USD.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Worst-case prompt plus completion tokens.</summary>
    public long EstimatedTokens { get; init; }

    /// <summary>
    /// Whether <see cref="RequestId"/> was made up for this call rather than sent by a caller. A caller's id may repeat
    /// a call the tenant grain no longer remembers (one settled before a restart), so for an id it does not know the
    /// grain asks the usage ledger first; a fresh id cannot repeat anything and skips that lookup.
    /// </summary>
    public bool FreshRequestId { get; init; }

    /// <summary>
    /// A number the calling router draws once per call (not per reserve attempt), so that a reserve it retries finds
    /// the reservation its earlier attempt made (<see cref="ReservationOutcome.AlreadyReserved"/>) while another call with
    /// the same request id is <see cref="ReservationOutcome.InProgress"/>. Zero: the caller has none, and every open
    /// reservation of the id is another call's.
    /// </summary>
    public long CallToken { get; init; }

    /// <summary>
    /// Cheaper models this call may switch to (downshift): when <see cref="EstimatedCostUsd"/> is above the per-request
    /// cap in effect (the tenant's and the workspace's <c>max_per_request</c>, a runtime override included), the
    /// cheapest alternative that fits is reserved instead and the granted reservation names its model. Empty or
    /// <see langword="null"/>: no switch.
    /// </summary>
    public IReadOnlyList<ReservationAlternative>? Downshift { get; init; }

    /// <summary>
    /// Whether this reservation is a fallback attempt of a call whose first attempt already counted against the
    /// tenant's rate limits: a fallback is neither checked nor counted again. Defaults to <see langword="false"/>.
    /// </summary>
    public bool Fallback { get; init; }
}

/// <summary>Another model a call could run on, with its worst case.</summary>
public sealed record ReservationAlternative
{
    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>Worst-case cost in USD on this model.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Worst-case prompt plus completion tokens on this model.</summary>
    public long EstimatedTokens { get; init; }
}

/// <summary>An open reservation: budget held for a call in flight until it is settled, released or expires.</summary>
public sealed record Reservation
{
    /// <summary>The request id.</summary>
    public required string RequestId { get; init; }

    /// <summary>The workspace the call runs for.</summary>
    public required string Workspace { get; init; }

    /// <summary>The model the estimate was priced for.</summary>
    public required string Model { get; init; }

    /// <summary>Reserved worst-case cost in USD.</summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Reserved worst-case tokens.</summary>
    public long EstimatedTokens { get; init; }

    /// <summary>When it was granted.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it expires and returns its budget if neither settled nor released.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The tenant-local day (<c>yyyyMMdd</c>) of <see cref="CreatedAt"/>; its usage lands in this day.</summary>
    public int DayKey { get; init; }

    /// <summary>The tenant-local month (<c>yyyyMM</c>) of <see cref="CreatedAt"/>; its usage lands in this month.</summary>
    public int MonthKey { get; init; }

    /// <summary>How many executions it holds: 1 for a call; a cover may hold several.</summary>
    public long Executions { get; init; } = 1;

    /// <summary>The <see cref="ReservationRequest.CallToken"/> of the call that made it (not written when zero, as for covers).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CallToken { get; init; }

    /// <summary>
    /// Whether this is a cover rather than a call: budget the tenant grain held in durable state for calls granted
    /// after that state was written. A cover is found in storage only after an unclean stop (while the grain runs, it
    /// lives in each write and never in memory); it holds its budget until it expires, and nobody settles it.
    /// </summary>
    public bool Cover { get; init; }
}

/// <summary>Why hard enforcement refused a reservation (or, under soft enforcement, which limit it overran).</summary>
public sealed record BudgetDenial
{
    /// <summary>The workspace whose sub-cap refused it, or <see langword="null"/> for a tenant-wide limit.</summary>
    public string? Workspace { get; init; }

    /// <summary>What the limit measures.</summary>
    public BudgetMetric Metric { get; init; }

    /// <summary>The limit's window.</summary>
    public BudgetPeriod Period { get; init; }

    /// <summary>The configured limit (USD, tokens or executions).</summary>
    public decimal Limit { get; init; }

    /// <summary>Settled usage in the period.</summary>
    public decimal Spent { get; init; }

    /// <summary>Usage held by open reservations in the period.</summary>
    public decimal Reserved { get; init; }

    /// <summary>What this request asked for.</summary>
    public decimal Requested { get; init; }

    /// <summary>What was left before this request (never negative).</summary>
    public decimal Remaining { get; init; }

    /// <summary>When the period resets, or <see langword="null"/> for <see cref="BudgetPeriod.Request"/>.</summary>
    public DateTimeOffset? ResetsAt { get; init; }

    /// <summary>A sentence naming the limit, what is left and when it resets.</summary>
    public required string Message { get; init; }
}

/// <summary>A soft-alert threshold crossed for the first time in a period.</summary>
public sealed record BudgetAlert
{
    /// <summary>The workspace whose sub-cap crossed it, or <see langword="null"/> for a tenant-wide limit.</summary>
    public string? Workspace { get; init; }

    /// <summary>What the limit measures.</summary>
    public BudgetMetric Metric { get; init; }

    /// <summary>The limit's window.</summary>
    public BudgetPeriod Period { get; init; }

    /// <summary>The tenant-local period key (<c>yyyyMMdd</c> or <c>yyyyMM</c>).</summary>
    public int PeriodKey { get; init; }

    /// <summary>The threshold crossed, in percent.</summary>
    public decimal ThresholdPercent { get; init; }

    /// <summary>Usage (spent plus reserved) in percent of the limit when it fired.</summary>
    public decimal PercentUsed { get; init; }

    /// <summary>The configured limit.</summary>
    public decimal Limit { get; init; }
}

/// <summary>The answer to a reservation attempt.</summary>
public sealed record ReservationDecision
{
    /// <summary>How the attempt ended.</summary>
    public ReservationOutcome Outcome { get; init; }

    /// <summary>The open reservation when granted (new, or this call's own from an earlier attempt).</summary>
    public Reservation? Reservation { get; init; }

    /// <summary>The refusing limit when <see cref="ReservationOutcome.Denied"/>.</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>Thresholds crossed for the first time in their period by this grant.</summary>
    public IReadOnlyList<BudgetAlert> Alerts { get; init; } = [];

    /// <summary>Under soft enforcement: the limits this grant overran (a hard policy would have denied it).</summary>
    public IReadOnlyList<BudgetDenial> SoftOverruns { get; init; } = [];

    /// <summary>When <see cref="ReservationOutcome.RateLimited"/>: how long until the current rate window ends.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the caller may go upstream.</summary>
    public bool IsGranted => Outcome is ReservationOutcome.Granted or ReservationOutcome.AlreadyReserved;
}

/// <summary>The actual usage of a finished call.</summary>
public sealed record SettleRequest
{
    /// <summary>The request id of the reservation.</summary>
    public required string RequestId { get; init; }

    /// <summary>The workspace; used only when no reservation is known for the id.</summary>
    public string? Workspace { get; init; }

    /// <summary>Actual cost in USD (OpenRouter <c>usage.cost</c>, else tokens × price).</summary>
    public decimal ActualCostUsd { get; init; }

    /// <summary>Actual prompt tokens.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Actual completion tokens.</summary>
    public long CompletionTokens { get; init; }
}

/// <summary>The answer to a settle call.</summary>
public sealed record SettleOutcome
{
    /// <summary>How the call ended.</summary>
    public SettleResult Result { get; init; }

    /// <summary>Whether counters changed (false for duplicates).</summary>
    public bool Changed => Result is SettleResult.Settled or SettleResult.SettledAfterExpiry or SettleResult.SettledWithoutReservation;

    /// <summary>The reservation that was settled, when one was open.</summary>
    public Reservation? Reservation { get; init; }

    /// <summary>Thresholds crossed for the first time in their period by this usage.</summary>
    public IReadOnlyList<BudgetAlert> Alerts { get; init; } = [];
}
