using OrleansTenancy.GrainInterfaces;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Routing;

/// <summary>Why a call was not (fully) served.</summary>
public enum RouteRefusal
{
    /// <summary>The request itself is invalid (HTTP 400).</summary>
    BadRequest,

    /// <summary>Strict mode and no tenant context (HTTP 401).</summary>
    ContextMissing,

    /// <summary>The tenant or workspace is not in the registry (HTTP 403).</summary>
    UnknownTenant,

    /// <summary>The tenant is suspended (HTTP 403).</summary>
    TenantSuspended,

    /// <summary>The model is not in the tenant's allowed models (HTTP 403).</summary>
    ModelNotAllowed,

    /// <summary>No price is known for the model and no conservative price is configured (HTTP 400).</summary>
    UnknownModelPrice,

    /// <summary>A budget limit would be exceeded (HTTP 402; <see cref="RouteRefusedException.Denial"/> says which).</summary>
    BudgetDenied,

    /// <summary>The tenant's request or token rate limit is reached (HTTP 429 with Retry-After).</summary>
    RateLimited,

    /// <summary>Upstream refused or failed (status mapped from upstream's error).</summary>
    Upstream,

    /// <summary>
    /// The request id belongs to another call: one in flight (<c>request_in_progress</c>) or one already settled
    /// (<c>request_id_reused</c>) (HTTP 409). Nothing went upstream for this call.
    /// </summary>
    RequestIdConflict,
}

/// <summary>A call that was refused, with what the caller needs to react: the reason, the HTTP status, and details.</summary>
/// <remarks>
/// The status is decided here, from the reason (and, for an upstream failure, from upstream's status), and nowhere else:
/// the HTTP gateway answers with <see cref="StatusCode"/> and cluster clients receive it in their refusal.
/// </remarks>
public sealed class RouteRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the call was refused; it decides <see cref="StatusCode"/>.</param>
    /// <param name="message">A sentence naming what refused and what to do.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public RouteRefusedException(RouteRefusal reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException()
        : this(RouteRefusal.BadRequest, "The call was refused.")
    {
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException(string message)
        : this(RouteRefusal.BadRequest, message)
    {
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException(string message, Exception innerException)
        : this(RouteRefusal.BadRequest, message, innerException)
    {
    }

    /// <summary>Why the call was refused.</summary>
    public RouteRefusal Reason { get; }

    /// <summary>The HTTP status a caller sees (<see cref="StatusOf"/>).</summary>
    public int StatusCode => StatusOf(Reason, UpstreamStatus);

    /// <summary>For <see cref="RouteRefusal.Upstream"/>: the status upstream's failure maps to (ignored for other reasons).</summary>
    public int? UpstreamStatus { get; init; }

    /// <summary>The budget denial (limit, amount left, reset time) when <see cref="Reason"/> is <see cref="RouteRefusal.BudgetDenied"/>.</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>When to retry (rate limits, upstream 429).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A short machine-readable code (e.g. <c>budget_exceeded</c>, <c>model_not_allowed</c>).</summary>
    public string Code { get; init; } = "refused";

    /// <summary>The effective context of the refused call, when it was resolved.</summary>
    public TenantContext? Context { get; init; }

    /// <summary>
    /// The HTTP status of a refusal: 402 for a budget denial and 429 for a rate limit (never a 5xx), 401 without a
    /// tenant in strict mode, 403 for policy, 409 for a request id in use, 400 for a request that cannot be served; an
    /// upstream failure keeps the status it maps to, except that anything below 400 or a bare 500 becomes 502, so it is
    /// not mistaken for a fault of the gateway.
    /// </summary>
    /// <param name="reason">Why the call was refused.</param>
    /// <param name="upstreamStatus">For an upstream failure, the status it maps to.</param>
    /// <returns>The status.</returns>
    public static int StatusOf(RouteRefusal reason, int? upstreamStatus) => reason switch
    {
        RouteRefusal.BudgetDenied => 402,
        RouteRefusal.RateLimited => 429,
        RouteRefusal.ContextMissing => 401,
        RouteRefusal.UnknownTenant or RouteRefusal.TenantSuspended or RouteRefusal.ModelNotAllowed => 403,
        RouteRefusal.RequestIdConflict => 409,
        RouteRefusal.Upstream => upstreamStatus is >= 400 and <= 599 and not 500 ? upstreamStatus.Value : 502,
        _ => 400,
    };
}
