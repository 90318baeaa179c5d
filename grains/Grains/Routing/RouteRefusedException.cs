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
}

/// <summary>A call that was refused, with what the caller needs to react: the reason, the HTTP status, and details.</summary>
public sealed class RouteRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RouteRefusedException(RouteRefusal reason, int statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException()
        : this(RouteRefusal.BadRequest, 400, "The call was refused.")
    {
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException(string message)
        : this(RouteRefusal.BadRequest, 400, message)
    {
    }

    /// <summary>Creates the exception (use the other constructor; this one exists for serializers).</summary>
    public RouteRefusedException(string message, Exception innerException)
        : this(RouteRefusal.BadRequest, 400, message, innerException)
    {
    }

    /// <summary>Why the call was refused.</summary>
    public RouteRefusal Reason { get; }

    /// <summary>The HTTP status a gateway answers with.</summary>
    public int StatusCode { get; }

    /// <summary>The budget denial (limit, amount left, reset time) when <see cref="Reason"/> is <see cref="RouteRefusal.BudgetDenied"/>.</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>When to retry (rate limits, upstream 429).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A short machine-readable code (e.g. <c>budget_exceeded</c>, <c>model_not_allowed</c>).</summary>
    public string Code { get; init; } = "refused";

    /// <summary>The effective context of the refused call, when it was resolved.</summary>
    public TenantContext? Context { get; init; }
}
