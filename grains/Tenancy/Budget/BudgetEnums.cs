namespace OrleansTenancy.Tenancy;

/// <summary>What a budget limit measures.</summary>
public enum BudgetMetric
{
    /// <summary>Cost in USD (<c>daily_cap_usd</c>, <c>monthly_cap_usd</c>).</summary>
    CostUsd = 0,

    /// <summary>Prompt plus completion tokens (<c>daily_tokens</c>, <c>monthly_tokens</c>).</summary>
    Tokens = 1,

    /// <summary>Number of executions, one per request (<c>daily_executions</c>, <c>monthly_executions</c>).</summary>
    Executions = 2,

    /// <summary>The worst-case cost of a single request (<c>max_per_request</c>).</summary>
    MaxPerRequest = 3,
}

/// <summary>The window a limit applies to.</summary>
public enum BudgetPeriod
{
    /// <summary>The calendar day in the tenant's time zone.</summary>
    Day = 0,

    /// <summary>The calendar month in the tenant's time zone.</summary>
    Month = 1,

    /// <summary>A single request (<c>max_per_request</c>); it never resets.</summary>
    Request = 2,
}

/// <summary>How a reservation attempt ended.</summary>
public enum ReservationOutcome
{
    /// <summary>A new reservation was recorded.</summary>
    Granted = 0,

    /// <summary>
    /// This call's reservation is already open (its reserve was retried, as after a timeout that hid a success); it is
    /// returned unchanged. Only the call that made it, identified by <see cref="ReservationRequest.CallToken"/>, gets it.
    /// </summary>
    AlreadyReserved = 1,

    /// <summary>Hard enforcement refused it; see <see cref="ReservationDecision.Denial"/>.</summary>
    Denied = 2,

    /// <summary>
    /// The request id was settled (upstream charged for it) or its reservation expired (upstream may have charged): a
    /// finished id is never reserved again. An id whose reservation was released is not finished.
    /// </summary>
    RequestIdFinished = 3,

    /// <summary>
    /// A reservation with this request id is open for another call: a duplicate is in flight. The caller must not go
    /// upstream; it may wait for that call or retry later.
    /// </summary>
    InProgress = 4,

    /// <summary>
    /// The tenant's rate limit (<c>requests_per_minute</c> or <c>tokens_per_minute</c>) has no room for this call in
    /// the current minute; see <see cref="ReservationDecision.RetryAfter"/>. Nothing was reserved or counted.
    /// </summary>
    RateLimited = 5,
}

/// <summary>How a settle call ended.</summary>
public enum SettleResult
{
    /// <summary>The open reservation was replaced by the actual usage.</summary>
    Settled = 0,

    /// <summary>The reservation had expired; the usage was still recorded in the reservation's periods.</summary>
    SettledAfterExpiry = 1,

    /// <summary>No reservation was known for the id; the usage was recorded in the current periods, because money spent upstream must be counted.</summary>
    SettledWithoutReservation = 2,

    /// <summary>The id was already settled; nothing changed.</summary>
    AlreadySettled = 3,

    /// <summary>The id was already released (upstream failed before any charge); nothing changed.</summary>
    AlreadyReleased = 4,
}

/// <summary>How a release call ended.</summary>
public enum ReleaseResult
{
    /// <summary>The open reservation was removed and its budget returned.</summary>
    Released = 0,

    /// <summary>The id was already released; nothing changed.</summary>
    AlreadyReleased = 1,

    /// <summary>The id was already settled; nothing changed (release never refunds settled usage).</summary>
    AlreadySettled = 2,

    /// <summary>The reservation had already expired and returned its budget; nothing changed.</summary>
    AlreadyExpired = 3,

    /// <summary>No reservation was known for the id; nothing changed.</summary>
    Unknown = 4,
}
